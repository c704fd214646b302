// The API page (/api): Swagger UI from the console's build shows the server's /api.json, every
// operation of it, without loading anything from another origin.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { launch, screenshot } from "./lib/browser.js";
import { until } from "./lib/poll.js";
import { startPulse } from "./lib/pulse.js";

let pulse, browser;
before(async () => {
  pulse = await startPulse();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await pulse?.stop();
});

test("the API page shows every operation of /api.json, from the server alone", async () => {
  const page = await browser.newPage();
  const elsewhere = [];
  page.on("request", (r) => {
    const url = new URL(r.url());
    if (url.origin !== pulse.url && url.protocol !== "data:") elsewhere.push(r.url());
  });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(pulse.url + "/api");
  const description = await (await fetch(pulse.url + "/api.json")).json();
  let operations = 0;
  for (const item of Object.values(description.paths)) operations += Object.keys(item).length;
  await until(async () => (await page.locator(".opblock").count()) === operations, `${operations} operations shown`);
  const title = await page.locator(".info .title").textContent();
  assert.match(title, new RegExp(`^Pulse\\s*${description.info.version}`));
  for (const path of ["/api/v1/rowdata", "/api/v1/alarms/{alarmId}/ack", "/readyz"]) {
    assert.equal(await page.locator(`.opblock-summary-path[data-path="${path}"]`).count(), 1, path);
  }
  assert.deepEqual(elsewhere, [], "requests to other origins");
  assert.deepEqual(errors, [], "page errors");
  await screenshot(page, "api-page.png");
});
