import { createApi } from "@pulse/client";
import { Board } from "./board/board";
import { Dashboard } from "./dashboard/dashboard";
import { el } from "./dom";
import { Session } from "./session";
import { IdentityBar } from "./identity";
import "./style.css";

// The console: a dashboard of live charts and the alarm board, on the page's own server.
const session = new Session();
const api = createApi({ token: session.token || undefined });
const dashboard = new Dashboard(session, api);
const board = new Board(session, api);
const identity = new IdentityBar(session);

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

document.body.append(
  el("header", { class: "top" }, el("h1", {}, "Pulse"), el("nav", {}, ...tabs), identity.node),
  el("main", {}, dashboard.node, board.node),
);

function showView(): void {
  const view = (location.hash.slice(1) || "dashboard") as View;
  document.body.dataset.view = views.includes(view) ? view : "dashboard";
  for (const tab of tabs) tab.classList.toggle("active", tab.dataset.view === document.body.dataset.view);
}
addEventListener("hashchange", showView);
showView();

// Reconnect when what the sockets are opened with changes (the board's needs no user name);
// redraw the buttons on any change.
const dashboardKey = () => JSON.stringify([session.token, session.user, session.authOn]);
const boardKey = () => JSON.stringify([session.token, session.authOn]);
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
  board.refresh();
  identity.refresh();
});
board.connect();

// Is auth on? Ask the API without a token: 401 says so.
void createApi({})
  .listAlarms({ limit: 1 })
  .then(
    () => session.setAuthOn(false),
    (err: { status?: number }) => session.setAuthOn(err?.status === 401),
  );
