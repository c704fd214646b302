// Measures the board tab's main-thread CPU during the 500-alarm storm (not a test: it prints
// numbers). 500 raises in 10 s (one request every 20 ms, 300 alarms), then until the board shows
// all 300 and 2 s more. CPU is Chrome's TaskDuration (DevTools Protocol Performance.getMetrics)
// over the wall time; the longest tasks come from a PerformanceObserver of "longtask" entries.
//   PULSE_BIN=/path/to/pulse node e2e/storm-cpu.mjs
import { attr, launch } from "./lib/browser.js";
import { until } from "./lib/poll.js";
import { startPulse } from "./lib/pulse.js";

const levels = ["critical", "major", "minor", "warning", "info"];
const pulse = await startPulse();
const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.addInitScript(() => {
    window.__long = [];
    new PerformanceObserver((list) => window.__long.push(...list.getEntries().map((e) => e.duration))).observe({ type: "longtask", buffered: true });
  });
  await page.goto(pulse.url + "/#alarms");
  await until(async () => (await attr(page, "[data-testid=board]", "data-synced")) === "true", "the board is synced");
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  const task = async () => (await cdp.send("Performance.getMetrics")).metrics.find((m) => m.name === "TaskDuration").value;
  await page.evaluate(() => (window.__long = []));

  const t0 = Date.now();
  const cpu0 = await task();
  for (let i = 0; i < 500; i++) {
    const due = t0 + i * 20;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    const n = i % 300;
    await pulse.post("/api/v1/alarm", { alarmId: `storm-${n}`, businessType: "site", businessId: `s-${n % 7}`, level: levels[n % 5], title: `Storm alarm ${n}`, content: `raise ${i}` });
  }
  await until(async () => (await attr(page, "[data-testid=board]", "data-rows")) === "300", "the board has the 300 alarms");
  await new Promise((r) => setTimeout(r, 2000));
  const wall = (Date.now() - t0) / 1000;
  const cpu = (await task()) - cpu0;
  const long = await page.evaluate(() => window.__long);
  console.log(
    JSON.stringify({
      bin: process.env.PULSE_BIN,
      wallSeconds: +wall.toFixed(1),
      cpuSeconds: +cpu.toFixed(2),
      cpuPercentOfCore: +((100 * cpu) / wall).toFixed(1),
      longTasks: long.length,
      longestTaskMs: Math.round(Math.max(0, ...long)),
    }),
  );
} finally {
  await browser.close();
  await pulse.stop();
}
