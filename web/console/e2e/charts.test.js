// Honest charts, in a real browser against the real server: an outage is drawn as a gap, the
// x-axis is the chosen window ending now, a business has the same look in every chart, times are
// on a 24-hour clock, the legend gives values (the last one, and under the pointer), a whole type
// opened after its data exists is charted on a sane axis, and after a reload a 15-minute window
// is full from the server's history.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { launch } from "./lib/browser.js";
import { until } from "./lib/poll.js";
import { startPulse } from "./lib/pulse.js";

let pulse, browser;
before(async () => {
  // Units are configuration: the history's answer names them for the charts.
  pulse = await startPulse({ extraConfig: "rowdata:\n  units:\n    voltage: \"V\"\n" });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await pulse?.stop();
});

const item = (type, id, time, data) => ({ businessType: type, businessId: id, time, data });

async function follow(page, type, id, n = 0) {
  const panel = page.getByTestId("panel").nth(n);
  await panel.getByTestId("type").fill(type);
  await panel.getByTestId("id").fill(id);
  await panel.getByTestId("follow").click();
  return panel;
}

// The chart of field in panel n, once it holds at least points points and is drawn.
async function chart(page, field, points, n = 0) {
  const sel = `[data-testid=panel] >> nth=${n} >> .chart[data-field="${field}"]`;
  const fig = page.locator(sel);
  await until(async () => (await fig.count()) && Number(await fig.getAttribute("data-points")) >= points && (await fig.locator("canvas").count()), `the ${field} chart holds ${points} points`);
  return fig;
}

// How many pixels of the series' colour a band of the plot's columns holds, around time t (ms).
function inkAround(fig, t, halfWidthPx) {
  return fig.evaluate(
    (node, [t, half]) => {
      const u = node.uplot;
      const color = Object.values(JSON.parse(node.dataset.styles))[0].color;
      const want = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16));
      const canvas = node.querySelector("canvas");
      const ctx = canvas.getContext("2d");
      const x = Math.round(u.valToPos(t / 1000, "x", true));
      const { top, height } = u.bbox;
      const img = ctx.getImageData(Math.max(0, x - half), top, 2 * half + 1, height).data;
      let ink = 0;
      for (let i = 0; i < img.length; i += 4) {
        const d = Math.abs(img[i] - want[0]) + Math.abs(img[i + 1] - want[1]) + Math.abs(img[i + 2] - want[2]);
        if (img[i + 3] > 200 && d < 60) ink++;
      }
      return ink;
    },
    [t, halfWidthPx],
  );
}

test("an outage is a gap in the line, and the x-axis is the window ending now, moving on", async () => {
  // One point a second for 20 s, nothing for 90 s, one a second for 20 s: all within 5 minutes.
  const start = Date.now() - 200_000;
  const before = Array.from({ length: 20 }, (_, i) => item("gap", "g-1", start + i * 1000, { level: 10 + (i % 3) }));
  const afterOutage = Array.from({ length: 20 }, (_, i) => item("gap", "g-1", start + 110_000 + i * 1000, { level: 10 + (i % 3) }));
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  await page.goto(pulse.url + "/");
  const panel = await follow(page, "gap", "g-1");
  await until(async () => (await panel.getAttribute("data-status")) === "live", "the panel is live");
  await pulse.post("/api/v1/rowdata", { items: before });
  await pulse.post("/api/v1/rowdata", { items: afterOutage });
  const fig = await chart(page, "level", 40);
  assert.equal(await fig.getAttribute("data-gaps"), "1", "one gap: the 90 s outage");
  assert.equal(await inkAround(fig, start + 65_000, 15), 0, "no line across the outage");
  assert.ok((await inkAround(fig, start + 10_000, 4)) > 0, "a line where data is");

  // The x-axis is the window (5 minutes) and ends now, not where the data ends.
  const span = async () => [Number(await fig.getAttribute("data-x-min")), Number(await fig.getAttribute("data-x-max"))];
  const [min, max] = await span();
  assert.ok(Math.abs(max - min - 300_000) < 2000, `the x-axis spans 5 min, not ${max - min} ms`);
  const now = await page.evaluate(() => Date.now());
  assert.ok(Math.abs(now - max) < 5000, "the x-axis ends now");
  // Without new data, it moves on.
  await until(async () => (await span())[1] >= max + 2000, "the x-axis moves on with the clock");

  // Changed to 15 minutes: the axis follows the choice.
  await page.getByTestId("panel").first().getByTestId("window").selectOption("900000");
  await until(async () => {
    const [a, b] = await span();
    return Math.abs(b - a - 900_000) < 2000;
  }, "the x-axis spans 15 min");
  await page.close();
});

test("a business has the same colour and dash in every chart, whatever the order its data came in", async () => {
  const t = Date.now() - 30_000;
  // Three charts: every col, col/m-a alone, col/m-b alone.
  await pulse.post("/api/v1/rowdata", { items: [item("col", "m-b", t, { p: 1 }), item("col", "m-a", t + 1000, { p: 2 })] });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(pulse.url + "/");
  await follow(page, "col", "*");
  await page.getByTestId("add-panel").click();
  await follow(page, "col", "m-a", 1);
  await page.getByTestId("add-panel").click();
  await follow(page, "col", "m-b", 2);
  const all = await chart(page, "p", 2, 0);
  const styles = JSON.parse(await all.getAttribute("data-styles"));
  const a = JSON.parse(await (await chart(page, "p", 1, 1)).getAttribute("data-styles"));
  const b = JSON.parse(await (await chart(page, "p", 1, 2)).getAttribute("data-styles"));
  // Each is the first series of its own chart: colours by arrival order would make them alike.
  assert.deepEqual(a["col/m-a"], styles["col/m-a"], "m-a looks the same in its chart and in the type's");
  assert.deepEqual(b["col/m-b"], styles["col/m-b"], "m-b looks the same in its chart and in the type's");
  assert.notDeepEqual(styles["col/m-a"], styles["col/m-b"], "two businesses look different");
  // Told apart by more than colour: the legend names each.
  assert.deepEqual((await all.locator(".u-legend .u-series .u-label").allTextContents()).sort(), ["Time", "col/m-a", "col/m-b"]);

  // After a reload, the same looks.
  await page.reload();
  const again = await chart(page, "p", 2, 0);
  assert.deepEqual(JSON.parse(await again.getAttribute("data-styles")), styles);
  await page.close();
});

test("24-hour times in the browser's locale, the last value in the caption and legend, hover values on a single-series chart", async () => {
  const t = Date.now() - 20_000;
  await pulse.post("/api/v1/rowdata", { items: [0, 1, 2, 3, 4].map((i) => item("hov", "h-1", t + i * 3000, { voltage: 230 + i, current: 5 + i })) });
  // A US locale writes "1:05 PM" by habit: the charts must not.
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 }, locale: "en-US", timezoneId: "America/New_York" });
  await page.goto(pulse.url + "/");
  await follow(page, "hov", "h-1");
  const fig = await chart(page, "voltage", 5);

  // Off the chart, the legend shows the last value, never "--".
  const values = () => fig.locator(".u-legend .u-value").allTextContents();
  const legend = await values();
  assert.ok(!legend.includes("--"), `legend ${JSON.stringify(legend)} has no "--"`);
  assert.match(legend[1], /^234( V)?$/, "the legend shows the last value");
  // The unit comes from the server's configuration (rowdata.units), with the history.
  await until(async () => (await fig.getByTestId("last").textContent()) === "234 V", "the caption shows the last value and its unit");
  assert.equal((await values())[1], "234 V");
  assert.match(legend[0], /^\d{2}:\d{2}:\d{2}$/, "the legend's time is on a 24-hour clock");

  // The axis labels are on a 24-hour clock too.
  const ticks = await fig.evaluate((node) => node.uplot.axes[0]._values);
  assert.ok(ticks.length >= 2, "the x-axis has labels");
  for (const tick of ticks) assert.match(tick, /^\d{2}:\d{2}(:\d{2})?$/, `axis label ${tick} is a 24-hour time`);
  // Labels do not overlap: each x label ends before the next begins, each y label is a line apart.
  const overlaps = await fig.evaluate((node) => {
    const u = node.uplot;
    const ctx = document.createElement("canvas").getContext("2d");
    const found = [];
    u.axes.forEach((axis, a) => {
      ctx.font = axis.font[0];
      const scale = a === 0 ? "x" : "y";
      const placed = axis._splits
        .map((v, i) => ({ text: axis._values[i], at: u.valToPos(v, scale), size: a === 0 ? ctx.measureText(axis._values[i]).width : parseFloat(axis.font[0]) }))
        .filter((p) => p.text !== "" && p.text != null)
        .sort((p, q) => p.at - q.at);
      // A y label fits its axis beside the tick (none is cut at the chart's edge).
      if (a === 1) for (const p of placed) if (ctx.measureText(p.text).width / devicePixelRatio + axis.ticks.size + axis.gap > axis._size) found.push(`${p.text} is cut`);
      for (let i = 1; i < placed.length; i++) {
        if (placed[i].at - placed[i - 1].at < (placed[i].size + placed[i - 1].size) / 2) found.push(`${placed[i - 1].text} / ${placed[i].text}`);
      }
    });
    return found;
  });
  assert.deepEqual(overlaps, [], "no axis labels overlap");

  // Hovering over the third point shows its value, on this single-series chart.
  const box = await fig.locator(".u-over").boundingBox();
  const x = await fig.evaluate((node, ms) => node.uplot.valToPos(ms / 1000, "x"), t + 6000);
  await page.mouse.move(box.x + x, box.y + box.height / 2);
  await until(async () => /^232 V$/.test((await values())[1]), "the legend shows the hovered value, 232");
  const hovered = (await values())[0];
  const expected = await page.evaluate((ms) => new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }).format(ms), t + 6000);
  assert.equal(hovered, expected, "the hovered time, 24-hour, in the browser's time zone");
  assert.doesNotMatch(hovered, /AM|PM/);
  // The panel's other chart shows the same moment.
  const current = await chart(page, "current", 5);
  await until(async () => (await current.locator(".u-legend .u-value").allTextContents())[1] === "7", "the current chart shows the hovered moment's value, 7");

  // The canvas is named for screen readers.
  assert.match(await fig.locator("canvas").first().getAttribute("aria-label"), /^Chart of voltage of hov\/h-1/);
  await page.close();
});

test("a whole type opened after its data exists charts every business on a sane axis", async () => {
  const t = Date.now() - 10_000;
  await pulse.post("/api/v1/rowdata", { items: ["w-1", "w-2", "w-3"].map((id, i) => item("late", id, t + i * 500, { kw: 5 + i })) });
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  await page.goto(pulse.url + "/");
  await follow(page, "late", "*");
  const fig = await chart(page, "kw", 3);
  assert.equal(await fig.getAttribute("data-series"), "3", "one series per meter");
  const min = Number(await fig.getAttribute("data-x-min"));
  const max = Number(await fig.getAttribute("data-x-max"));
  assert.ok(Math.abs(max - min - 300_000) < 2000 && Math.abs(max - Date.now()) < 60_000, `the x-axis is the last 5 minutes, not ${new Date(min).toISOString()} .. ${new Date(max).toISOString()}`);
  // Each lone point is drawn as a marker (a single point makes no line).
  assert.ok((await inkAround(fig, t, 6)) > 0, "the first meter's point is visible");
  await page.close();
});

test("after a reload, a 15-minute window holds every point the server received in it", async () => {
  // 120 points over the last 14 minutes of item time, posted within a few seconds.
  const now = Date.now();
  const items = Array.from({ length: 120 }, (_, i) => item("full", "f-1", now - 840_000 + i * 7000, { voltage: 220 + (i % 10) }));
  for (let i = 0; i < items.length; i += 10) await pulse.post("/api/v1/rowdata", { items: items.slice(i, i + 10) });

  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  await page.goto(pulse.url + "/");
  const panel = await follow(page, "full", "f-1");
  await panel.getByTestId("window").selectOption("900000");
  await chart(page, "voltage", 120);
  await page.reload();
  const fig = await chart(page, "voltage", 120);
  assert.equal(await fig.getAttribute("data-points"), "120", "every point posted before the reload");
  assert.equal(await page.getByTestId("panel").first().getAttribute("data-history"), "120", "brought by the history (the snapshot holds 20)");
  const span = Number(await fig.getAttribute("data-x-max")) - Number(await fig.getAttribute("data-x-min"));
  assert.ok(Math.abs(span - 900_000) < 2000, `the x-axis spans 15 minutes, not ${span} ms`);
  assert.equal(await fig.getAttribute("data-gaps"), "0", "a full window has no gap");
  await page.close();
});

test("after a reconnect, what the server received meanwhile fills the window", async () => {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  // The page's sockets can be cut, and kept from reconnecting, as a network outage would.
  await context.addInitScript(() => {
    const Native = window.WebSocket;
    const open = [];
    window.__cut = () => {
      window.__blocked = true;
      for (const ws of open.splice(0)) ws.close();
    };
    window.WebSocket = function (url, protocols) {
      const ws = new Native(window.__blocked ? "ws://127.0.0.1:9/" : url, protocols);
      open.push(ws);
      return ws;
    };
    Object.assign(window.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3, prototype: Native.prototype });
  });
  const page = await context.newPage();
  await page.goto(pulse.url + "/");
  const panel = await follow(page, "gone", "g-1");
  await until(async () => (await panel.getAttribute("data-status")) === "live", "the panel is live");
  const start = Date.now() - 120_000;
  const items = (from, n) => Array.from({ length: n }, (_, i) => item("gone", "g-1", start + (from + i) * 1000, { v: from + i }));
  await pulse.post("/api/v1/rowdata", { items: items(0, 10) });
  await chart(page, "v", 10);

  await page.evaluate(() => window.__cut());
  await until(async () => (await panel.getAttribute("data-status")) === "lost", "the panel says the connection is lost");
  // 60 points while the page is away: more than the snapshot (20) brings back.
  await pulse.post("/api/v1/rowdata", { items: items(10, 60) });
  await page.evaluate(() => (window.__blocked = false));
  await panel.getByTestId("retry").click().catch(() => {});
  await until(async () => (await panel.getAttribute("data-status")) === "live", "the panel is live again");
  const fig = await chart(page, "v", 70);
  assert.equal(await fig.getAttribute("data-points"), "70", "every point, none twice");
  assert.equal(await fig.getAttribute("data-gaps"), "0", "no gap where the server had data");
  await context.close();
});
