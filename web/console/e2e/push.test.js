// The console as an installable app with Web Push: the manifest and the service worker make it
// installable (Chromium's own installability check says so); the "Notify this device" switch
// registers the browser's subscription with the server and removes it again; an alarm pushed by
// Pulse (encrypted, through a local push service that decrypts it here) is shown by the service
// worker as a notification with an Ack action that acknowledges the alarm, and a tap opens the
// board on the alarm.
//
// Headless Chromium cannot subscribe for real: pushManager.subscribe needs the browser vendor's
// push service (FCM for Chromium), which this closed network cannot reach. The page's
// pushManager.subscribe is therefore replaced by one that returns a subscription on the local push
// service below, with keys made here; everything else is the browser's own (the service
// worker's registration, its push event delivered through CDP ServiceWorker.deliverPushMessage,
// its notifications read back with getNotifications()).
import assert from "node:assert/strict";
import { createDecipheriv, createECDH, generateKeyPairSync, hkdfSync, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { after, before, test } from "node:test";
import { attr, launch } from "./lib/browser.js";
import { until } from "./lib/poll.js";
import { startPulse } from "./lib/pulse.js";


// A browser's subscription keys, and a push service that records the messages it gets, decrypted
// (RFC 8291: ECDH with the sender's key from the aes128gcm header, HKDF with the auth secret).
const ua = createECDH("prime256v1");
ua.generateKeys();
const auth = randomBytes(16);
const pushed = [];
const pushService = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    try {
      pushed.push({ headers: req.headers, payload: JSON.parse(decrypt(body)) });
      res.writeHead(201).end();
    } catch (err) {
      pushed.push({ headers: req.headers, error: String(err) });
      res.writeHead(400).end();
    }
  });
});

function decrypt(body) {
  const salt = body.subarray(0, 16);
  const idlen = body[20];
  const senderKey = body.subarray(21, 21 + idlen);
  const record = body.subarray(21 + idlen);
  const shared = ua.computeSecret(senderKey);
  const info = Buffer.concat([Buffer.from("WebPush: info\0"), ua.getPublicKey(), senderKey]);
  const ikm = Buffer.from(hkdfSync("sha256", shared, auth, info, 32));
  const cek = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: aes128gcm\0"), 16));
  const nonce = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: nonce\0"), 12));
  const d = createDecipheriv("aes-128-gcm", cek, nonce);
  d.setAuthTag(record.subarray(record.length - 16));
  const plain = Buffer.concat([d.update(record.subarray(0, record.length - 16)), d.final()]);
  let end = plain.length - 1;
  while (end >= 0 && plain[end] === 0) end--;
  assert.equal(plain[end], 2, "the last record's delimiter");
  return plain.subarray(0, end).toString("utf8");
}

// A VAPID key pair as `pulse vapid` prints it.
function vapidPair() {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = privateKey.export({ format: "jwk" });
  const pub = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, "base64url"), Buffer.from(jwk.y, "base64url")]).toString("base64url");
  return { pub, priv: jwk.d };
}

let pulse, browser, context, page, endpoint;
const vapid = vapidPair();
const linkKey = randomBytes(32).toString("base64");

before(async () => {
  await new Promise((resolve) => pushService.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${pushService.address().port}/push/e2e-browser`;
  pulse = await startPulse({
    extraConfig: (base) => `notify:
  publicUrl: "${base}"
  linkKeys: ["${linkKey}"]
  outlets:
    - name: "browsers"
      type: "webpush"
      vapidPublicKey: "${vapid.pub}"
      vapidPrivateKey: "${vapid.priv}"
      subject: "mailto:ops@example.com"
      allowHttpEndpoints: true
  routes:
    - name: "all"
      to: ["browsers"]
`,
  });
  browser = await launch();
  context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.grantPermissions(["notifications"], { origin: pulse.url });
  // The subscription a push service would give (see the file's comment).
  await context.addInitScript(
    ({ endpoint, p256dh, auth }) => {
      let current = null;
      const make = (options) => ({
        endpoint,
        options,
        toJSON: () => ({ endpoint, expirationTime: null, keys: { p256dh, auth } }),
        unsubscribe: async () => ((current = null), true),
      });
      PushManager.prototype.subscribe = async function (options) {
        window.__subscribedWith = btoa(String.fromCharCode(...new Uint8Array(options.applicationServerKey)));
        current = make(options);
        return current;
      };
      PushManager.prototype.getSubscription = async () => current;
    },
    { endpoint, p256dh: ua.getPublicKey().toString("base64url"), auth: auth.toString("base64url") },
  );
  page = await context.newPage();
  await page.goto(pulse.url + "/#alarms");
  await until(async () => (await attr(page, "[data-testid=board]", "data-synced")) === "true", "the board is synced");
});
after(async () => {
  await browser?.close();
  await pulse?.stop();
  pushService.close();
});

test("the console is installable: manifest, icons, a service worker controlling /", async () => {
  const manifest = await (await fetch(pulse.url + "/manifest.webmanifest")).json();
  assert.equal(manifest.display, "standalone");
  assert.equal(manifest.start_url, "/#alarms");
  for (const icon of manifest.icons.filter((i) => i.type === "image/png")) {
    const res = await fetch(new URL(icon.src, pulse.url));
    assert.equal(res.status, 200, icon.src);
    assert.equal(res.headers.get("content-type"), "image/png", icon.src);
  }
  const sw = await fetch(pulse.url + "/sw.js");
  assert.match(sw.headers.get("content-type"), /^text\/javascript/);
  await until(() => page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? ""), "a service worker controls the page");
  assert.equal(await page.evaluate(() => navigator.serviceWorker.controller.scriptURL), pulse.url + "/sw.js");
  assert.equal(await page.evaluate(async () => (await navigator.serviceWorker.ready).scope), pulse.url + "/");
  const cdp = await context.newCDPSession(page);
  // Playwright's contexts are incognito, where Chromium installs nothing: that is the one error
  // allowed (it says the other checks, manifest and service worker, passed).
  const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
  assert.deepEqual(installabilityErrors.map((e) => e.errorId).filter((id) => id !== "in-incognito"), [], "Chromium finds the console installable");
  await cdp.detach();
});

test("the switch subscribes with the server's VAPID key and registers the subscription", async () => {
  const registering = page.waitForRequest((r) => r.url().endsWith("/api/v1/devices") && r.method() === "POST");
  await page.getByTestId("push-switch").click();
  const body = JSON.parse((await registering).postData());
  assert.deepEqual(body, {
    platform: "webpush",
    subscription: { endpoint, expirationTime: null, keys: { p256dh: ua.getPublicKey().toString("base64url"), auth: auth.toString("base64url") } },
  });
  const state = await until(async () => ["on", "error"].includes(await attr(page, "[data-testid=push]", "data-state")) && attr(page, "[data-testid=push]", "data-state"), "the switch is on");
  assert.equal(state, "on", await page.getByTestId("push-note").textContent());
  const key = await page.evaluate(() => window.__subscribedWith);
  assert.equal(Buffer.from(key, "base64").toString("base64url"), vapid.pub, "applicationServerKey is the server's VAPID key");
  const { items } = await pulse.get("/api/v1/devices");
  assert.deepEqual(items.map((d) => [d.platform, d.subscription.endpoint]), [["webpush", endpoint]]);
});

test("a pushed alarm is a notification; its Ack action acknowledges; a tap opens the board on it", async () => {
  await pulse.post("/api/v1/alarm", { items: [{ alarmId: "wp-1", businessType: "meter", businessId: "m-1", level: "critical", title: "Over-voltage" }] });
  await until(() => pushed.length >= 1, "Pulse pushed the alarm");
  const [{ payload, headers, error }] = pushed;
  assert.equal(error, undefined);
  assert.equal(headers.urgency, "high");
  assert.deepEqual(
    [payload.alarmId, payload.level, payload.title, payload.businessType, payload.businessId, payload.event],
    ["wp-1", "critical", "Over-voltage", "meter", "m-1", "raised"],
  );
  assert.ok(payload.ackUrl.startsWith(pulse.url + "/ack/"), payload.ackUrl);
  assert.ok(payload.seq > 0);

  // The push service hands the message to the browser: CDP delivers it to the service worker.
  const cdp = await context.newCDPSession(page);
  const registrationId = new Promise((resolve) =>
    cdp.on("ServiceWorker.workerRegistrationUpdated", ({ registrations }) => {
      const r = registrations.find((r) => r.scopeURL === pulse.url + "/" && !r.isDeleted);
      if (r) resolve(r.registrationId);
    }),
  );
  await cdp.send("ServiceWorker.enable");
  await cdp.send("ServiceWorker.deliverPushMessage", { origin: pulse.url, registrationId: await registrationId, data: JSON.stringify(payload) });
  const shown = () =>
    page.evaluate(async () =>
      (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({ title: n.title, body: n.body, actions: n.actions.map((a) => a.action), tag: n.tag })),
    );
  await until(async () => (await shown()).length === 1, "the service worker shows a notification");
  const [n] = await shown();
  assert.equal(n.title, "[CRITICAL] Over-voltage");
  assert.equal(n.body, "meter/m-1 · raised");
  assert.deepEqual(n.actions, ["ack"]);

  // The Ack action, as the system would dispatch it.
  const [worker] = context.serviceWorkers();
  await worker.evaluate(async () => {
    const [n] = await self.registration.getNotifications();
    self.dispatchEvent(new NotificationEvent("notificationclick", { notification: n, action: "ack" }));
  });
  await until(async () => {
    const { items } = await pulse.get("/api/v1/alarms?status=acked");
    return items.find((a) => a.alarmId === "wp-1")?.ackedBy?.startsWith("link:browsers:dev_");
  }, "the Ack action acknowledged the alarm through its link");
  await until(async () => (await shown()).some((s) => s.title.startsWith("Acknowledged: Over-voltage")), "the worker says it acknowledged");

  // A tap: the open console shows the alarm.
  await cdp.send("ServiceWorker.deliverPushMessage", { origin: pulse.url, registrationId: await registrationId, data: JSON.stringify({ ...payload, event: "reminder" }) });
  await until(async () => (await shown()).some((s) => s.body === "meter/m-1 · still active"), "the reminder is shown");
  await page.evaluate(() => (location.hash = "dashboard"));
  await worker.evaluate(async () => {
    const list = await self.registration.getNotifications();
    const n = list.find((x) => x.body.endsWith("still active"));
    self.dispatchEvent(new NotificationEvent("notificationclick", { notification: n }));
  });
  await until(() => page.evaluate(() => location.hash === "#alarms"), "the board is shown");
  await until(() => page.getByTestId("history").isVisible(), "the alarm's history is open");
  assert.match(await page.getByTestId("history").textContent(), /Over-voltage/);
  await cdp.detach();
});

test("switched off, the device is removed and the browser unsubscribed", async () => {
  await page.keyboard.press("Escape");
  await page.getByTestId("push-switch").click();
  await until(async () => (await attr(page, "[data-testid=push]", "data-state")) === "off", "the switch is off");
  const { items } = await pulse.get("/api/v1/devices");
  assert.deepEqual(items, []);
  assert.equal(await page.evaluate(async () => (await (await navigator.serviceWorker.ready).pushManager.getSubscription()) === null), true);
});
