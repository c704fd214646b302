// @ts-check
/// <reference lib="webworker" />
// The console's service worker, served at /sw.js so that it controls the whole console ("/").
// It does one thing: show the alarms Pulse pushes (Web Push, RFC 8030) while no console is
// looking. A push's data is JSON: {alarmId, seq, level, title, businessType, businessId, event,
// ackUrl}. The notification's "Ack" action POSTs to ackUrl (the ack link's form: it needs no
// token); a tap opens the board on the alarm. Nothing is cached: the console needs its server.
const sw = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));

const EVENTS = {
  raised: "raised",
  repeated: "raised again, level rose",
  reminder: "still active",
  escalated: "not acknowledged",
  acked: "acknowledged",
  cleared: "cleared",
  unsilenced: "silence ended",
  test: "test",
};

sw.addEventListener("install", () => void sw.skipWaiting());
sw.addEventListener("activate", (event) => event.waitUntil(sw.clients.claim()));

sw.addEventListener("push", (event) => {
  /** @type {Record<string, any>} */
  let p = {};
  try {
    p = event.data ? event.data.json() : {};
  } catch {
    p = { title: event.data ? event.data.text() : "" };
  }
  const level = String(p.level || "info");
  const business = p.businessType ? `${p.businessType}/${p.businessId}` : "";
  const title = `[${level.toUpperCase()}] ${p.title || p.alarmId || "Pulse"}`;
  const what = EVENTS[/** @type {keyof typeof EVENTS} */ (p.event)] || p.event || "";
  /** @type {NotificationOptions & {actions?: {action: string, title: string}[], renotify?: boolean}} */
  const options = {
    body: [business, what].filter(Boolean).join(" · "),
    icon: "/icons/icon-192.png",
    badge: "/icons/icon-192.png",
    // One notification per alarm, replaced by its later state (the push's Topic does the same
    // in the push service).
    tag: p.alarmId ? JSON.stringify([p.businessType, p.businessId, p.alarmId]) : "pulse-test",
    renotify: p.event === "raised" || p.event === "repeated" || p.event === "escalated",
    requireInteraction: level === "critical" && p.event !== "cleared" && p.event !== "acked",
    data: p,
    actions: p.ackUrl && p.event !== "acked" && p.event !== "cleared" ? [{ action: "ack", title: "Ack" }] : [],
  };
  event.waitUntil(sw.registration.showNotification(title, options));
});

sw.addEventListener("notificationclick", (event) => {
  const n = event.notification;
  const p = n.data || {};
  n.close();
  const work = event.action === "ack" ? ack(p) : openBoard(p);
  try {
    event.waitUntil(work);
  } catch {
    // A click dispatched by a script (a test) cannot extend its event; the work goes on.
  }
});

// ack acknowledges through the link, as its page's button does, and says how it went.
/** @param {Record<string, any>} p */
async function ack(p) {
  let said = "Acknowledged";
  try {
    const res = await fetch(p.ackUrl, { method: "POST", body: new URLSearchParams(), credentials: "omit", redirect: "manual" });
    if (res.status === 409) said = "Not acknowledged: the alarm was cleared";
    else if (res.status === 410) said = "Not acknowledged: the link was used or has expired";
    else if (!res.ok) said = `Not acknowledged: the server answered ${res.status}`;
  } catch {
    said = "Not acknowledged: the server cannot be reached";
  }
  await sw.registration.showNotification(`${said}: ${p.title || p.alarmId}`, {
    tag: JSON.stringify([p.businessType, p.businessId, p.alarmId]),
    icon: "/icons/icon-192.png",
    data: { ...p, ackUrl: "", event: "acked" },
  });
}

// openBoard focuses a console and shows the alarm there, or opens one on it.
/** @param {Record<string, any>} p */
async function openBoard(p) {
  // The board's key of an alarm (keyOf in src/board/alarms.ts).
  const alarm = p.alarmId ? JSON.stringify([p.businessType, p.businessId, p.alarmId]) : "";
  const list = await sw.clients.matchAll({ type: "window", includeUncontrolled: true });
  const client = list.find((c) => new URL(c.url).origin === sw.location.origin);
  if (client) {
    client.postMessage({ type: "pulse.show-alarm", alarm });
    await client.focus();
    return;
  }
  const url = new URL("/", sw.location.origin);
  if (alarm) url.searchParams.set("board.alarm", alarm);
  url.hash = "alarms";
  await sw.clients.openWindow(url.href);
}
