// The Grafana dashboard (manifest/deploy/grafana/pulse.json) shows real data: a private Prometheus
// scrapes a real Pulse node every second while `pulse bench` loads it and the test causes what
// the other panels count (alarms, consoles, refused upgrades, bad requests, a slow dashboard and a
// slow console); then a page draws every panel from its own PromQL as Grafana lays it out
// (e2e/grafana/, not shipped: Grafana itself cannot be installed here), and every panel must show
// data with no query failing. The screenshot is docs/OPERATIONS.md's docs/img/grafana-dashboard.png.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { chromiumBin, launch, screenshot } from "./lib/browser.js";
import { handshake } from "./lib/handshake.js";
import { until } from "./lib/poll.js";
import { hasPrometheus, prometheusBin, startPrometheus } from "./lib/prometheus.js";
import { startPulse } from "./lib/pulse.js";
import { serve } from "./lib/serve.js";

const here = dirname(fileURLToPath(import.meta.url));
const dashboardFile = join(here, "..", "..", "..", "manifest", "deploy", "grafana", "pulse.json");

const missing = [
  !hasPrometheus() && `prometheus (${prometheusBin})`,
  !existsSync(chromiumBin) && `chromium (${chromiumBin})`,
].filter(Boolean);
const ci = process.env.CI === "true";
const skip = missing.length && !ci ? `${missing.join(" and ")} missing (apt-get install prometheus chromium; hack/install-deps.sh does it): test skipped` : false;

const cleanups = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

test("every panel of the Grafana dashboard shows the node's real metrics under load", { skip }, async () => {
  if (missing.length) assert.fail(`${missing.join(" and ")} required under CI`);

  // Pings every 2 s, so that dashboards' pongs show as inbound frames; a client that stops reading
  // is cut within 3 s (not 10), so that its close is counted well within the run.
  const pulse = await startPulse({ extraConfig: 'ws:\n  pingInterval: "2s"\n  pongTimeout: "30s"\n  writeTimeout: "3s"\n' });
  cleanups.push(() => pulse.stop());
  const prometheus = await startPrometheus({ "pulse-1": `127.0.0.1:${pulse.port}` });
  cleanups.push(() => prometheus.stop());
  const browser = await launch();
  cleanups.push(() => browser.close());

  const loadStart = Date.now() / 1000;
  // Longer than the test needs: it is stopped once the dashboard is drawn, however slow the machine.
  const bench = runBench(pulse.port, { subs: 300, keys: 30, rate: 200, duration: "120s" });
  cleanups.push(() => bench.kill());

  // The operator's console, open on its alarm board for the whole run.
  const consolePage = await browser.newPage();
  await consolePage.goto(pulse.url + "/#alarms");
  // A page of the node's origin for WebSockets the test drives itself.
  const sockets = await browser.newPage();
  await sockets.goto(pulse.url + "/healthz");

  const levels = ["critical", "major", "minor", "warning", "info"];
  for (let tick = 0; tick < 16; tick++) {
    const started = Date.now();
    // Alarms raised (some repeat), acknowledged and cleared: commits of several sizes.
    const raised = await pulse.post("/api/v1/alarm", {
      items: Array.from({ length: 1 + (tick % 3) }, (_, i) => ({
        alarmId: `pump-${(tick + i) % 6}`,
        businessType: "pump",
        businessId: `p-${(tick + i) % 6}`,
        level: levels[(tick + i) % levels.length],
        title: "Bearing temperature high",
      })),
    });
    const lastSeq = raised.items.at(-1).seq;
    const first = raised.items[0].alarmId;
    if (tick % 3 === 1) await pulse.post(`/api/v1/alarms/${first}/ack`, { user: "值班员" });
    if (tick % 5 === 4) await pulse.post(`/api/v1/alarms/${raised.items.at(-1).alarmId}/clear`, {});
    // A console resuming from its last seq (a replay), acknowledging over its socket, then leaving.
    if (tick % 2 === 0) await resumingConsole(sockets, lastSeq - 1, first);
    // Upgrades refused: a path missing its segments, a foreign origin (twice), a plain GET (three
    // times: each reason its own line).
    if (tick % 4 === 1) {
      for (const [path, headers] of [["/ws/rowdata/meter", {}], ...Array(2).fill(["/ws/alarm", { Origin: "http://evil.example" }])]) {
        const { status, socket } = await handshake(pulse.port, path, headers);
        socket.destroy();
        assert.ok(status >= 400, `${path} was refused (${status})`);
      }
      for (let i = 0; i < 3; i++) {
        const plain = await fetch(pulse.url + "/ws/alarm");
        assert.ok(plain.status >= 400, `a plain GET of /ws/alarm was refused (${plain.status})`);
      }
    }
    // Bad requests: a misspelt field, an alarm of an unknown level.
    if (tick % 3 === 2) {
      await postExpecting(pulse, "/api/v1/rowdata", { businesType: "meter", businessId: "m-1", data: { v: 1 } }, 400);
      await postExpecting(pulse, "/api/v1/alarm", { businessId: "p-1", level: "fatal", title: "x" }, 400);
    }
    if (tick === 3) await slowDashboard(pulse, cleanups);
    if (tick === 7) await slowConsole(pulse, cleanups);
    if (tick === 6) assert.equal(await protocolViolation(sockets, "flood"), 1008);
    if (tick === 12) assert.equal(await protocolViolation(sockets, "too big"), 1009);
    await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (Date.now() - started))));
  }

  // The last of it scraped: Prometheus holds a sample taken 2 s after the test's last action.
  const lastAction = Date.now() / 1000;
  await until(async () => {
    const [up] = await prometheus.query('timestamp(up{job="pulse"})');
    return up && Number(up.value[1]) >= lastAction + 2;
  }, "prometheus scrapes after the last action");

  // What Grafana would show now, the load still on.
  assert.equal(bench.exitedAt, 0, `pulse bench ended early:\n${bench.output.slice(-2000)}`);
  const to = Math.floor(Date.now() / 1000);
  const from = Math.floor(loadStart - 2);
  const site = await serve({
    "/": join(here, "grafana"),
    "/uplot": join(here, "..", "node_modules", "uplot", "dist"),
    "/dashboard.json": dashboardFile,
  });
  cleanups.push(() => site.close());
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(`${site.url}/?${new URLSearchParams({ prometheus: prometheus.url, from, to, scrape: 1 })}`);
  await until(async () => {
    const body = await page.evaluate(() => ({ ...document.body.dataset }));
    if (body.error) throw Object.assign(new Error(`the dashboard did not render: ${body.error}`), { fatal: true });
    return body.rendered === "true";
  }, "every panel is drawn");
  await screenshot(page, "grafana-dashboard.png", { readme: true, fullPage: true });

  const panels = await page.$$eval(".panel", (els) =>
    els.map((el) => ({
      title: el.dataset.title,
      type: el.dataset.type,
      state: el.dataset.state,
      errors: JSON.parse(el.dataset.errors),
      series: JSON.parse(el.dataset.series),
      text: el.querySelector(".body").innerText,
      drawn: el.querySelectorAll("canvas").length,
    })),
  );
  await bench.kill(); // the load is no longer needed
  const dashboard = JSON.parse(await (await fetch(`${site.url}/dashboard.json`)).text());
  const expected = dashboard.panels.filter((p) => p.type !== "row");
  assert.equal(panels.length, expected.length);
  assert.ok(panels.length >= 20, `the dashboard has ${panels.length} panels`);

  // No query failed, and every query of every panel shows a series with values.
  for (const p of panels) assert.deepEqual(p.errors, [], `panel "${p.title}": queries failed`);
  for (const def of expected) {
    const p = panels.find((x) => x.title === def.title);
    assert.equal(p.state, "ok", `panel "${p.title}" shows data`);
    if (p.type === "timeseries") assert.equal(p.drawn > 0, true, `panel "${p.title}" has a chart`);
    for (const target of def.targets) {
      assert.ok(
        p.series.some((s) => s.refId === target.refId && s.values > 0),
        `panel "${def.title}" query ${target.refId} (${target.expr}) shows no data`,
      );
    }
  }

  // What the test caused is there, under the names an operator reads.
  const panel = (title) => panels.find((p) => p.title === title);
  const legends = (title) => panel(title).series.map((s) => s.legend);
  const peak = (title, legend) => panel(title).series.find((s) => s.legend === legend)?.max ?? 0;
  const includes = (title, names) => {
    for (const n of names) assert.ok(legends(title).includes(n), `panel "${title}" shows "${n}" (it shows: ${legends(title).join(", ")})`);
  };
  assert.equal(panel("Bus").text, "UP");
  assert.equal(panel("Alarm store writes").text, "OK");
  assert.ok(Number(panel("Connections").text) >= 300, `Connections: ${panel("Connections").text}`);
  assert.match(panel("Deliveries/s").text, /^[\d.]+ (K )?ops\/s$/);
  assert.ok(peak("Connections by endpoint", "rowdata") >= 300, "the bench's 300 dashboards are counted");
  assert.ok(peak("Connections by endpoint", "alarm") >= 1, "the console is counted");
  assert.ok(peak("Deliveries and frames written /s", "deliveries rowdata") > 0);
  assert.ok(peak("Drops: slow dashboards and consoles", "values coalesced/s (row data, latest kept)") > 0, "the slow dashboard's coalesced values show");
  assert.ok(peak("Drops: slow dashboards and consoles", "consoles closed 1013/s") > 0, "the slow console's 1013 shows");
  includes("Upgrades refused by reason /s", ["path", "origin", "not_websocket"]);
  includes("Closes by code /s", ["alarm 1000", "alarm 1013", "rowdata 1008", "rowdata 1009"]);
  assert.ok(peak("Inbound frames /s", "rowdata") > 0 && peak("Inbound frames /s", "alarm") > 0);
  includes("Ingest requests by status /s", ["rowdata 200", "rowdata 400", "alarm 200", "alarm 400"]);
  includes("Ingest requests by key /s", ["none 200", "none 400"]);
  assert.ok(peak("Items accepted /s", "rowdata") > 0 && peak("Items accepted /s", "alarm") > 0);
  assert.ok(peak("Snapshot keys", "keys") >= 30, "the bench's 30 keys are in the snapshots");
  assert.ok(peak("Alarm commit latency", "p99") > 0);
  assert.ok(peak("Alarm commit batch size and rate", "commits/s") > 0);
  assert.ok(peak("Replays /s", "replays") > 0 && peak("Replays /s", "replayed events") > 0);
  assert.equal(peak("Bus state", "pulse-1"), 1);
  assert.ok(peak("Bus publishes /s", "publishes") > 0);
  assert.ok(peak("Memory", "RSS pulse-1") > 1 << 20);
});

// `pulse bench` against the node: subscribers that read and a publisher at a steady rate, until
// it is killed (or its duration ends).
function runBench(port, { subs, keys, rate, duration }) {
  const args = ["bench", "--addr", `127.0.0.1:${port}`, "--subs", subs, "--keys", keys, "--rate", rate, "--duration", duration];
  const child = spawn(process.env.PULSE_BIN, args.map(String), { stdio: ["ignore", "pipe", "pipe"] });
  const run = { exitedAt: 0, output: "" };
  child.stdout.on("data", (d) => (run.output += d));
  child.stderr.on("data", (d) => (run.output += d));
  const exited = new Promise((resolve) => child.on("exit", resolve));
  exited.then(() => (run.exitedAt = Date.now() / 1000));
  run.kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
  };
  return run;
}

async function postExpecting(pulse, path, body, status) {
  const res = await fetch(pulse.url + path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  assert.equal(res.status, status, `${path}: ${await res.text()}`);
}

// An alarm console that resumes after since (its replay), acks one alarm over its socket and
// closes normally (1000).
function resumingConsole(page, since, alarmId) {
  return page.evaluate(
    ([since, alarmId]) =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`ws://${location.host}/ws/alarm?since=${since}`);
        ws.onerror = () => reject(new Error("the console's socket failed"));
        ws.onmessage = (ev) => {
          if (!ev.data.split("\n").some((line) => line && JSON.parse(line).type === "synced")) return;
          ws.send(JSON.stringify({ type: "ack", alarmId, user: "值班员" }));
          setTimeout(() => ws.close(1000), 100);
        };
        ws.onclose = () => resolve();
      }),
    [since, alarmId],
  );
}

// A dashboard that stops reading: once its socket's buffers and then its send queue
// (ws.sendQueue, 256) are full, the node keeps only the newest item of its business in the queue
// (rowdata.slowPolicy coalesce, the default: the drops panel's "coalesced" series), and soon cuts
// it. Large items fill the buffers (about 8 MB here), batches of 100 small ones the queue.
async function slowDashboard(pulse, cleanups) {
  const { status, socket } = await handshake(pulse.port, "/ws/rowdata/flood/f-1/e2e");
  cleanups.push(() => socket.destroy());
  assert.equal(status, 101);
  const item = (size) => ({ businessType: "flood", businessId: "f-1", data: { pad: "x".repeat(size) } });
  const leftOut = async () =>
    (await metric(pulse, 'pulse_messages_dropped_total{endpoint="rowdata"}')) +
    (await metric(pulse, 'pulse_messages_coalesced_total{endpoint="rowdata"}'));
  for (let round = 1; (await leftOut()) === 0; round++) {
    assert.ok(round <= 30, "no row data coalesced or dropped after 30 rounds (27 MB) for a dashboard that reads nothing");
    await pulse.post("/api/v1/rowdata", { items: Array(10).fill(item(90_000)) });
    await pulse.post("/api/v1/rowdata", { items: Array(100).fill(item(10)) });
  }
}

// An alarm console that stops reading: once its socket's buffers and its queue are full, the
// node closes it with 1013. One alarm repeated, so that the store's current state stays one
// alarm: with 16 KiB of data to fill the buffers, with none to fill the queue.
async function slowConsole(pulse, cleanups) {
  const { status, socket } = await handshake(pulse.port, "/ws/alarm");
  cleanups.push(() => socket.destroy());
  assert.equal(status, 101);
  const alarm = (size) => ({ alarmId: "flood", businessType: "pump", businessId: "p-9", level: "info", title: "Vibration sample", data: { pad: "y".repeat(size) } });
  for (let round = 1; (await metric(pulse, 'pulse_slow_closes_total{endpoint="alarm"}')) === 0; round++) {
    assert.ok(round <= 30, "no 1013 after 30 rounds (19 MB) for a console that reads nothing");
    await pulse.post("/api/v1/alarm", { items: Array(40).fill(alarm(16_000)) });
    await pulse.post("/api/v1/alarm", { items: Array(100).fill(alarm(10)) });
  }
}

// A dashboard that breaks the protocol: too many frames ("flood": closed with 1008) or a message
// too large ("too big": 1009). Resolves to the close code it got.
function protocolViolation(page, kind) {
  return page.evaluate(
    (kind) =>
      new Promise((resolve) => {
        const ws = new WebSocket(`ws://${location.host}/ws/rowdata/meter/m-1/e2e`);
        ws.onopen = () => {
          if (kind === "flood") for (let i = 0; i < 100; i++) ws.send("{}");
          else ws.send("x".repeat(5000));
        };
        ws.onclose = (ev) => resolve(ev.code);
      }),
    kind,
  );
}

// One sample of the node's /metrics.
async function metric(pulse, series) {
  const text = await (await fetch(pulse.url + "/metrics")).text();
  const line = text.split("\n").find((l) => l.startsWith(series + " "));
  return Number(line?.split(" ")[1] ?? 0);
}
