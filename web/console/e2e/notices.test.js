// Notices to one user, with auth on: an operator assigns an alarm to a colleague from its row;
// the colleague's console, open as another user in another browser context, shows the notice
// (apart from the alarms: the board does not gain a row), once although it comes over the board's
// socket and a chart's, and opens the alarm on a click. The
// operator's own console shows no notice: it was not for them.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { attr, launch } from "./lib/browser.js";
import { until } from "./lib/poll.js";
import { mintToken, startPulse } from "./lib/pulse.js";

const secret = "e2e-secret-that-is-at-least-32-bytes-long";
const ingestKey = "e2e-ingest-key-0123456789abcdef";
let pulse, browser;
before(async () => {
  pulse = await startPulse({ auth: { secret, ingestKey } });
  browser = await launch();
  await pulse.post(
    "/api/v1/alarm",
    { items: [{ alarmId: "a-9", businessType: "meter", businessId: "m-1", level: "major", title: "Over-voltage", content: "262 V" }] },
    { Authorization: `Bearer ${ingestKey}` },
  );
});
after(async () => {
  await browser?.close();
  await pulse?.stop();
});

const grants = { rowdata: ["meter/*"], alarms: ["meter/*"] };
const alice = () => mintToken(secret, { sub: "alice", pulse: { ...grants, ack: true } });
const bob = () => mintToken(secret, { sub: "鲍勃", pulse: grants });

// open signs a new page (its own browser context: its own localStorage, so its own token) in at
// hash, and waits until its board is synced with the one alarm.
async function open(token, hash) {
  const page = await browser.newPage();
  await page.goto(pulse.url + "/" + hash);
  await until(async () => (await attr(page, ".identity", "data-auth")) === "on", "the console learns that auth is on");
  await page.getByTestId("token").fill(token);
  await page.getByTestId("use-token").click();
  await until(async () => (await attr(page, "[data-testid=board]", "data-synced")) === "true", "the board is synced");
  await until(async () => (await attr(page, "[data-testid=board]", "data-rows")) === "1", "the board shows the alarm");
  return page;
}

test("assigning an alarm sends its assignee a notice that opens it", async () => {
  const operator = await open(alice(), "#alarms");
  const assignee = await open(bob(), "#dashboard");
  // The assignee also follows a business on the dashboard: the notice comes over both sockets,
  // and the tray shows it once.
  const panel = assignee.getByTestId("panel").first();
  await panel.getByTestId("type").fill("meter");
  await panel.getByTestId("id").fill("m-1");
  await panel.getByTestId("follow").click();
  await until(async () => (await panel.getAttribute("data-status")) === "live", "the assignee's panel is live");

  await operator.locator('tr[data-alarm-id="a-9"] button[data-action="assign"]').click();
  const dialog = operator.getByTestId("assign-dialog");
  await dialog.getByTestId("assign-user").fill("鲍勃");
  await dialog.getByTestId("assign-submit").click();
  await until(async () => /^Assigned Over-voltage · meter\/m-1 to 鲍勃/.test(await operator.getByTestId("status-text").textContent()), "the operator's status line says it was assigned");

  const notice = assignee.getByTestId("notice");
  await until(async () => (await notice.count()) === 1, "the assignee's console shows the notice");
  assert.equal(await notice.getAttribute("data-alarm-id"), "a-9");
  assert.equal(await notice.getAttribute("data-level"), "major");
  assert.match(await notice.textContent(), /Alarm Over-voltage is yours/);
  assert.match(await notice.textContent(), /alice assigned Over-voltage · meter\/m-1 to you/);
  assert.match(await notice.textContent(), /from alice/);
  assert.equal(await attr(assignee, "[data-testid=board]", "data-rows"), "1", "a notice is not an alarm: the board has no row more");

  await notice.getByRole("button", { name: "Open alarm" }).click();
  await until(async () => (await attr(assignee, "body", "data-view")) === "alarms", "the assignee's console goes to the alarms");
  const history = assignee.getByTestId("history");
  await until(async () => (await history.getAttribute("data-events")) === "1", "the alarm's history opens");
  assert.match(await history.textContent(), /a-9 · meter\/m-1/);

  assert.equal(await operator.getByTestId("notice").count(), 0, "the operator, who is not the assignee, got no notice");
  assert.equal(await notice.count(), 1, "the notice came over two sockets and shows once");
  await operator.close();
  await assignee.close();
});

test("a token without ack may not assign: the row's Assign is off", async () => {
  const page = await open(mintToken(secret, { sub: "carol", pulse: { alarms: ["*"], ack: false } }), "#alarms");
  assert.equal(await page.locator('tr[data-alarm-id="a-9"] button[data-action="assign"]').isDisabled(), true);
  await page.close();
});
