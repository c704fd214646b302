// Layouts and looks, in a real browser against the real server: "Both" at 1,400-1,440 px (stacked) and
// 1,920 px (side by side) without words broken into fragments, a phone's one-line header and 44 px targets, a wall mode that fills a
// 3840x2160 screen, a light theme that follows the system, text contrast of 4.5:1 or more in both
// themes, a favicon, and the panels in the page's address (a view shared as a link).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { attr, launch, screenshot } from "./lib/browser.js";
import { until } from "./lib/poll.js";
import { startPulse } from "./lib/pulse.js";

let pulse, browser;
before(async () => {
  pulse = await startPulse();
  browser = await launch();
  const alarms = [
    ["critical", "transformer-north-07", "Over-voltage on phase A"],
    ["major", "substation-eastern-12", "Breaker temperature above threshold"],
    ["minor", "feeder-line-3", "Harmonic distortion rising"],
    ["warning", "meter-cabinet-221", "Communication intermittent"],
    ["info", "meter-cabinet-222", "Firmware updated"],
  ];
  await pulse.post("/api/v1/alarm", {
    items: alarms.map(([level, id, title], i) => ({ alarmId: `a-${i}`, businessType: "meter", businessId: id, level, title, content: `${title} at ${id}` })),
  });
  const t = Date.now() - 60_000;
  await pulse.post("/api/v1/rowdata", {
    items: Array.from({ length: 30 }, (_, i) => ({ businessType: "meter", businessId: "m-1", time: t + i * 2000, data: { voltage: 220 + 4 * Math.sin(i / 4), current: 4 + (i % 7) / 10 } })),
  });
});
after(async () => {
  await browser?.close();
  await pulse?.stop();
});

const view = "?p=meter/m-1/300";

// The words of the board's cells that a line break cuts into fragments: a break inside a word
// anywhere but after a hyphen or a slash (where text may wrap).
function brokenWords(page) {
  return page.evaluate(() => {
    const broken = [];
    const walker = document.createTreeWalker(document.querySelector("[data-testid=board] table"), NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    const top = (node, i) => {
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const r = range.getBoundingClientRect();
      return r.width > 0 ? Math.round(r.top) : undefined;
    };
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.textContent.matchAll(/\S+/g)) {
        let line = top(node, m.index);
        for (let i = 1; i < m[0].length; i++) {
          const t = top(node, m.index + i);
          if (t === undefined || line === undefined) continue;
          if (t > line && !"-/".includes(m[0][i - 1])) broken.push(m[0]);
          line = t;
        }
      }
    }
    return broken;
  });
}

for (const width of [1400, 1440, 1920]) {
  test(`"Both" at ${width} px breaks no word of the board`, async () => {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    await page.goto(pulse.url + "/" + view + "#both");
    await until(async () => (await attr(page, "[data-testid=board]", "data-rows")) === "5", "the board shows the 5 alarms");
    await until(() => page.locator(".chart canvas").count(), "the charts are drawn");
    await screenshot(page, `console-both-${width}.png`);
    assert.deepEqual(await brokenWords(page), [], "no word is broken across lines");
    // Nothing sticks out of the page sideways.
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), "no horizontal scrolling");
    // Side by side where there is room for both.
    const [dash, board] = await Promise.all([page.getByTestId("dashboard").boundingBox(), page.getByTestId("board").boundingBox()]);
    assert.equal(Math.abs(dash.y - board.y) < 2, width >= 1800, `side by side at ${width} px: ${JSON.stringify([dash, board])}`);
    await page.close();
  });
}

test("on a phone the header is one line and the targets are 44 px", async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  await page.goto(pulse.url + "/" + view + "#alarms");
  await until(async () => (await attr(page, "[data-testid=board]", "data-rows")) === "5", "the board shows the alarms");
  const header = await page.locator("header.top").boundingBox();
  assert.ok(header.height <= 60, `the header is one line (${header.height} px high)`);
  // Every visible control in the header and on the board is at least 44x44 px.
  const small = await page.evaluate(() =>
    [...document.querySelectorAll("header.top a, header.top button, [data-testid=board] button, [data-testid=board] input, [data-testid=board] select")]
      .filter((e) => e.offsetParent !== null)
      .map((e) => [e.textContent.trim() || e.getAttribute("aria-label") || e.tagName, e.getBoundingClientRect()])
      .filter(([, r]) => r.width < 43.5 || r.height < 43.5)
      .map(([name, r]) => `${name} ${Math.round(r.width)}x${Math.round(r.height)}`),
  );
  assert.deepEqual(small, [], "no target smaller than 44 px");
  // The identity fields are one tap away.
  await page.getByTestId("menu").click();
  await until(() => page.getByTestId("token").isVisible(), "the token field shows");
  await page.getByTestId("menu").click();
  await screenshot(page, "console-phone.png", { readme: true });
  await page.close();
});

test("wall mode fills a 3840x2160 screen with the charts, in larger type", async () => {
  const page = await browser.newPage({ viewport: { width: 3840, height: 2160 } });
  await page.goto(pulse.url + "/" + view + "&wall#dashboard");
  await until(async () => (await page.locator(".chart canvas").count()) === 2, "both charts are drawn");
  await until(async () => {
    const boxes = await page.locator(".chart canvas").evaluateAll((cs) => cs.map((c) => c.getBoundingClientRect().toJSON()));
    const area = boxes.reduce((n, b) => n + b.width * b.height, 0);
    return area >= 0.5 * 3840 * 2160;
  }, "the charts cover half the screen or more");
  assert.ok(await page.evaluate(() => document.documentElement.scrollHeight <= innerHeight + 1), "and fit it without scrolling");
  const fontSize = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
  assert.ok(fontSize >= 22, `type of ${fontSize} px`);
  assert.equal(await page.getByTestId("wall").getAttribute("aria-pressed"), "true");
  await screenshot(page, "console-wall.png", { readme: true });
  // The button leaves wall mode, and the address forgets it.
  await page.getByTestId("wall").click();
  assert.equal(new URL(page.url()).searchParams.has("wall"), false);
  await page.close();
});

// The contrast of each element's text on the background it is drawn on (WCAG 2).
function contrasts(page) {
  return page.evaluate(() => {
    const rgb = (s) => s.match(/[\d.]+/g).map(Number);
    const lum = ([r, g, b]) => {
      const f = (c) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const background = (e) => {
      for (; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length < 4 || c[3] > 0.5) return c;
      }
      return rgb(getComputedStyle(document.documentElement).backgroundColor);
    };
    const selectors = [
      "header.top h1", ".tab", ".tab.active", "header.top button", ".identity input", ".panel .status", ".panel button", ".panel select",
      ".chart figcaption .field", ".chart figcaption .last", ".u-legend .u-label", ".u-legend .u-value",
      ".level.critical", ".level.major", ".level.minor", ".level.warning", ".level.info", "[data-testid=board] td", "[data-testid=board] th",
      "[data-testid=board] button", ".muted",
    ];
    const out = [];
    for (const s of selectors) {
      for (const e of [...document.querySelectorAll(s)].filter((e) => e.offsetParent !== null && e.textContent.trim()).slice(0, 3)) {
        if (e.disabled) continue; // disabled controls are exempt (WCAG 1.4.3)
        const fg = lum(rgb(getComputedStyle(e).color));
        const bg = lum(background(e));
        const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
        out.push([s, e.textContent.trim().slice(0, 20), Math.round(ratio * 100) / 100]);
      }
    }
    return out;
  });
}

for (const colorScheme of ["dark", "light"]) {
  test(`the ${colorScheme} theme follows the system, its text has a contrast of 4.5:1 or more`, async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, colorScheme });
    await page.goto(pulse.url + "/" + view + "#both");
    await until(async () => (await attr(page, "[data-testid=board]", "data-rows")) === "5", "the board shows the alarms");
    await until(() => page.locator(".chart canvas").count(), "the charts are drawn");
    const bg = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    const [r, g, b] = bg.match(/\d+/g).map(Number);
    assert.equal(r + g + b > 3 * 128, colorScheme === "light", `the page's background ${bg} is ${colorScheme}`);
    const measured = await contrasts(page);
    assert.ok(measured.length >= 15, "the key elements were measured");
    const low = measured.filter(([, , ratio]) => ratio < 4.5);
    assert.deepEqual(low, [], "no text below 4.5:1");
    if (colorScheme === "light") await screenshot(page, "console-light.png", { readme: true });
    await page.close();
  });
}

test("the favicon: linked from the page, served at /favicon.ico, no 404 while the page loads", async () => {
  const page = await browser.newPage();
  const missing = [];
  page.on("response", (res) => res.status() === 404 && missing.push(res.url()));
  await page.goto(pulse.url + "/");
  await until(() => page.locator("[data-testid=panel]").count(), "the console is up");
  assert.equal(await page.locator('link[rel="icon"]').getAttribute("href"), "/favicon.svg");
  for (const path of ["/favicon.ico", "/favicon.svg"]) {
    const res = await fetch(pulse.url + path);
    assert.equal(res.status, 200, path);
    assert.equal(res.headers.get("content-type"), "image/svg+xml");
    assert.match(await res.text(), /^<svg/);
  }
  assert.deepEqual(missing, []);
  await page.close();
});

test("the panels are in the address: a link opens the same view in a browser that has never seen it", async () => {
  const page = await browser.newPage();
  await page.goto(pulse.url + "/");
  const panel = page.getByTestId("panel").first();
  await panel.getByTestId("type").fill("meter");
  await panel.getByTestId("id").fill("m-1");
  await panel.getByTestId("follow").click();
  await panel.getByTestId("window").selectOption("900000");
  await page.getByTestId("add-panel").click();
  const second = page.getByTestId("panel").nth(1);
  await second.getByTestId("type").fill("meter");
  await second.getByTestId("id").fill("*");
  await second.getByTestId("follow").click();
  await until(() => new URL(page.url()).searchParams.getAll("p").length === 2, "the address names both panels");
  const link = page.url();
  assert.deepEqual(new URL(link).searchParams.getAll("p"), ["meter/m-1/900", "meter/*/300"]);

  const fresh = await browser.newPage(); // its own context: no localStorage
  await fresh.goto(link);
  await until(async () => (await fresh.getByTestId("panel").count()) === 2, "two panels");
  assert.equal(await fresh.getByTestId("panel").nth(0).getAttribute("data-business"), "meter/m-1");
  assert.equal(await fresh.getByTestId("panel").nth(0).getByTestId("window").inputValue(), "900000");
  assert.equal(await fresh.getByTestId("panel").nth(1).getAttribute("data-business"), "meter/*");
  await page.close();
  await fresh.close();
});
