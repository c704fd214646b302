import { createApi } from "@pulse/client";
import { Board } from "./board/board";
import { Dashboard } from "./dashboard/dashboard";
import { el } from "./dom";
import { Session } from "./session";
import { IdentityBar } from "./identity";
import { NoticeTray } from "./notices";
import { SessionBanner } from "./status";
import { registerServiceWorker } from "./app/install";
import { PushSwitch } from "./app/push";
import "./style.css";

// The console: a dashboard of live charts and the alarm board, on the page's own server.
const session = new Session();
const api = createApi({ token: session.token || undefined });
const dashboard = new Dashboard(session, api);
const board = new Board(session, api);
const identity = new IdentityBar(session);
const sessionBanner = new SessionBanner(session);
// Notices to this user come over every socket of the page (the board's and each panel's): the
// tray shows each once; one that names an alarm opens it.
const notices = new NoticeTray();
board.onNotice = (n) => notices.show(n);
dashboard.onNotice = (n) => notices.show(n);
notices.onOpenAlarm = (a) => {
  if (document.body.dataset.view === "dashboard") location.hash = "#alarms";
  board.openAlarm(a);
};

const views = ["dashboard", "alarms", "both"] as const;
type View = (typeof views)[number];
const tabs = views.map((v) =>
  el("a", { href: `#${v}`, class: "tab", "data-view": v }, v === "both" ? "Both" : v === "dashboard" ? "Dashboard" : "Alarms"),
);
const criticalBadge = el("span", { class: "badge", hidden: true });
tabs[1].append(criticalBadge);
// The tab and the page's title show the critical alarms nobody has acknowledged yet.
board.onCounts = (_, unackedCritical) => {
  criticalBadge.hidden = unackedCritical === 0;
  criticalBadge.textContent = String(unackedCritical);
  criticalBadge.title = "critical alarms not acknowledged";
  document.title = unackedCritical ? `(${unackedCritical}) Pulse` : "Pulse";
};

// Wall mode (?wall in the address, or the button): no identity bar, larger type, charts sized to
// the screen. The address keeps it, so that a wall screen comes back in it after a reload.
const wallButton = el("button", { type: "button", class: "toggle", "aria-pressed": "false", "data-testid": "wall", title: "Wall mode: fill the screen" }, "Wall");
function setWall(on: boolean): void {
  document.documentElement.classList.toggle("wall", on);
  wallButton.setAttribute("aria-pressed", String(on));
  const url = new URL(location.href);
  if (on) url.searchParams.set("wall", "");
  else url.searchParams.delete("wall");
  if (url.href !== location.href) history.replaceState(history.state, "", url);
  dashboard.setWall(on);
}
wallButton.addEventListener("click", () => setWall(!document.documentElement.classList.contains("wall")));

// On a phone the identity fields hide behind a button, so that the header keeps to one line.
const menu = el("button", { type: "button", class: "menu", "aria-expanded": "false", "aria-label": "Identity and token", "data-testid": "menu" }, "☰");
const pushSwitch = new PushSwitch(session);
const header = el("header", { class: "top" }, el("h1", {}, "Pulse"), el("nav", { "aria-label": "Views" }, ...tabs), wallButton, menu, identity.node, pushSwitch.node);
menu.addEventListener("click", () => menu.setAttribute("aria-expanded", String(header.classList.toggle("open"))));
document.body.append(
  header,
  sessionBanner.node,
  el("main", {}, dashboard.node, board.node),
  notices.node,
);
setWall(new URLSearchParams(location.search).has("wall"));

function showView(): void {
  const view = (location.hash.slice(1) || "dashboard") as View;
  document.body.dataset.view = views.includes(view) ? view : "dashboard";
  for (const tab of tabs) {
    const active = tab.dataset.view === document.body.dataset.view;
    tab.classList.toggle("active", active);
    if (active) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  }
}
addEventListener("hashchange", showView);
showView();

// Reconnect when what the sockets are opened with changes (the board's needs the user name only
// with auth off, for its notices);
// redraw the buttons on any change (Ack is off once the token has expired: session.canAck).
const dashboardKey = () => JSON.stringify([session.token, session.user, session.authOn]);
const boardKey = () => JSON.stringify([session.token, session.authOn, session.authOn ? "" : session.user]);
let dashboardWith = dashboardKey();
let boardWith = boardKey();
session.onChange(() => {
  api.setToken(session.token);
  if (dashboardKey() !== dashboardWith) {
    dashboardWith = dashboardKey();
    dashboard.reconnect();
  }
  if (boardKey() !== boardWith) {
    boardWith = boardKey();
    board.connect();
  }
  dashboard.refresh();
  board.refresh();
  identity.refresh();
  sessionBanner.refresh();
});
board.connect();
registerServiceWorker((key) => board.showAlarm(key));

// Is auth on? Ask the API without a token: 401 says so.
void createApi({})
  .listAlarms({ limit: 1 })
  .then(
    () => session.setAuthOn(false),
    (err: { status?: number }) => session.setAuthOn(err?.status === 401),
  );
