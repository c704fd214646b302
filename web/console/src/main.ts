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
board.onCounts = (counts) => {
  criticalBadge.hidden = counts.critical === 0;
  criticalBadge.textContent = String(counts.critical);
  document.title = counts.critical ? `(${counts.critical}) Pulse` : "Pulse";
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

// Reconnect when what the sockets are opened with changes; redraw buttons on any change.
let connectedWith = "";
session.onChange(() => {
  api.setToken(session.token);
  const key = JSON.stringify([session.token, session.user, session.authOn]);
  if (key !== connectedWith) {
    connectedWith = key;
    dashboard.reconnect();
    board.connect();
  }
  board.refresh();
  identity.refresh();
});
connectedWith = JSON.stringify([session.token, session.user, session.authOn]);
board.connect();

// Is auth on? Ask the API without a token: 401 says so.
void createApi({})
  .listAlarms({ limit: 1 })
  .then(
    () => session.setAuthOn(false),
    (err: { status?: number }) => session.setAuthOn(err?.status === 401),
  );
