// A dashboard on a connection too slow for what it follows: the server keeps the latest value of
// each business for it (rowdata.slowPolicy coalesce, the default), and the panel says quietly that
// it is showing latest values. The browser reaches the server through a proxy that stops passing
// the server's bytes on for a while, as a stalled mobile link does.
import assert from "node:assert/strict";
import { createConnection, createServer } from "node:net";
import { after, before, test } from "node:test";
import { attr, launch } from "./lib/browser.js";
import { until } from "./lib/poll.js";
import { startPulse } from "./lib/pulse.js";

let pulse, browser, proxy;
before(async () => {
  // A small queue fills soon; the server's writes wait for the stalled link instead of giving up.
  pulse = await startPulse({ extraConfig: "ws:\n  sendQueue: 8\n  writeTimeout: \"10m\"\n  pongTimeout: \"10m\"\n" });
  browser = await launch();
  proxy = await stallingProxy(pulse.port);
});
after(async () => {
  await browser?.close();
  proxy?.close();
  await pulse?.stop();
});

// stallingProxy forwards loopback connections to port; stall() stops reading what the server
// sends (its socket fills, then its queue for the client), flow() lets it through again.
function stallingProxy(port) {
  const upstreams = new Set();
  const server = createServer((client) => {
    const upstream = createConnection({ host: "127.0.0.1", port });
    upstreams.add(upstream);
    client.pipe(upstream);
    upstream.on("data", (d) => client.write(d));
    const end = () => {
      upstreams.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        stall: () => upstreams.forEach((u) => u.pause()),
        flow: () => upstreams.forEach((u) => u.resume()),
        close: () => server.close(),
      });
    });
  });
}

// The value of pulse_messages_coalesced_total{endpoint="rowdata"}.
async function coalescedTotal() {
  const text = await (await fetch(pulse.url + "/metrics")).text();
  const line = text.split("\n").find((l) => l.startsWith('pulse_messages_coalesced_total{endpoint="rowdata"}'));
  return Number(line?.split(" ")[1] ?? 0);
}

test("a panel whose connection stalls gets the latest value of every meter and says so", async () => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  await page.goto(proxy.url + "/");
  const panel = page.getByTestId("panel").first();
  await panel.getByTestId("type").fill("meter");
  await panel.getByTestId("id").fill("*");
  await panel.getByTestId("follow").click();
  await until(async () => (await panel.getAttribute("data-state")) === "open", "the panel is live");
  await until(async () => (await panel.getAttribute("data-history")) !== null, "the panel read the history");
  assert.equal(await panel.getByTestId("coalesced").isVisible(), false);

  // The link stalls while 20 meters publish round after round (large items fill the sockets
  // sooner), until the server has left values out for the panel.
  const meters = 20;
  const pad = "p".repeat(4000);
  const clock = Date.now();
  proxy.stall();
  let round = 0;
  while ((await coalescedTotal()) < 3 * meters) {
    assert.ok(round < 400, `nothing coalesced after ${round} rounds for a stalled panel`);
    const items = Array.from({ length: meters }, (_, m) => ({ businessType: "meter", businessId: `m-${m}`, time: clock + round, data: { value: round, pad } }));
    await pulse.post("/api/v1/rowdata", { items });
    round++;
  }

  // The link flows again: every meter is charted, fewer items came than were published, and the
  // panel says that it shows latest values.
  proxy.flow();
  await until(() => panel.getByTestId("coalesced").isVisible(), "the panel says it shows latest values");
  assert.equal((await panel.getByTestId("coalesced").textContent()).trim(), "showing latest values");
  const chart = '[data-testid=panel] .chart[data-field="value"]';
  await until(async () => Number(await attr(page, chart, "data-series")) === meters, "every meter is charted");
  assert.ok(Number(await panel.getAttribute("data-coalesced")) > 0, "the panel counts the values left out");
  assert.ok(Number(await panel.getAttribute("data-messages")) < round * meters, "the panel got fewer items than were published");
  await page.close();
});
