import { connectAlarms, type Alarm, type AlarmSubscription, type Api, type StateChange } from "@pulse/client";
import { el, formatTime, perFrame } from "../dom";
import type { Session } from "../session";
import { AlarmState, LEVELS, type Filter, type Level } from "./alarms";
import { Alerter } from "./alert";
import { HistoryDialog } from "./history";

// Rendering more rows than this helps nobody; the filters narrow the rest down.
const MAX_ROWS = 500;

// The alarm board: every alarm that is not cleared, one row each, most severe first.
// The data-* attributes on its root say what it shows (tests read them).
export class Board {
  readonly node = el("section", { class: "board", "data-testid": "board" });
  // Called after each change with the alarms per level and the critical ones not yet acked (the
  // header's tab shows those).
  onCounts: (counts: Record<Level, number>, unackedCritical: number) => void = () => {};

  private state = new AlarmState();
  private alerter = new Alerter();
  private history = new HistoryDialog();
  private filter: Filter = { level: "", status: "", business: "", text: "" };
  private sub: AlarmSubscription | undefined;
  private synced = false; // alerts only for what happens after the first full state
  private wasOpen = false;
  private rowCache = new Map<string, { alarm: Alarm; tr: HTMLTableRowElement; canAck: boolean }>();

  private countsBar = el("div", { class: "counts" });
  private banner = el("div", { class: "banner", role: "alert", hidden: true });
  private notice = el("div", { class: "banner notice", role: "status", hidden: true });
  private tbody = el("tbody");
  private footer = el("p", { class: "muted board-footer" });
  private render = perFrame(() => this.draw());

  constructor(
    private session: Session,
    private api: Api,
  ) {
    this.node.append(
      this.banner,
      this.notice,
      this.countsBar,
      this.toolbar(),
      el(
        "div",
        { class: "table-wrap" },
        el(
          "table",
          { class: "alarms" },
          el(
            "thead",
            {},
            el("tr", {}, ...["Level", "Last", "Business", "Alarm", "Count", "Status", ""].map((h) => el("th", {}, h))),
          ),
          this.tbody,
        ),
      ),
      this.footer,
      this.history.node,
    );
    // Audio may start only after a gesture: the first click anywhere unlocks it.
    document.addEventListener("click", () => this.alerter.unlock(), { once: true });
    this.tbody.addEventListener("click", (ev) => this.onTableClick(ev));
    this.tbody.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && (ev.target as HTMLElement).matches("tr[data-alarm-id]")) this.onTableClick(ev);
    });
    this.draw();
  }

  // (Re)opens the alarm socket with the session's current token; the board starts empty and the
  // server sends the current state.
  connect(): void {
    this.disconnect();
    if (!this.session.canConnect) {
      this.setBanner("Authentication is on: paste a token to see the alarms.");
      this.node.dataset.state = "closed";
      return;
    }
    this.setBanner("");
    const sub = connectAlarms({ token: this.session.token || undefined });
    this.sub = sub;
    sub.on("alarm", (msg) => {
      const isNew = this.state.apply(msg);
      if (isNew && this.synced && msg.data.level === "critical") this.alerter.critical(msg.data);
      this.render();
    });
    sub.on("synced", () => {
      this.synced = true;
      this.node.dataset.synced = "true";
      this.render();
    });
    sub.on("reset", () => {
      this.state.clear();
      this.synced = false;
      this.setNotice("The server could not resume from where this board was, so the board was reloaded from its current state.");
      this.render();
    });
    sub.on("state", (s) => this.onState(s));
    sub.on("error", (e) => this.setBanner(`The server refused a request: ${e.message} (code ${e.code})`, true));
  }

  disconnect(): void {
    this.sub?.close();
    this.sub = undefined;
    this.state.clear();
    this.synced = false;
    this.wasOpen = false;
    delete this.node.dataset.synced;
    this.render();
  }

  // The session changed (token, auth, name): buttons may change.
  refresh(): void {
    this.render();
  }

  private onState(s: StateChange): void {
    this.node.dataset.state = s.state;
    if (s.state === "open") {
      this.wasOpen = true;
      this.setBanner("");
      return;
    }
    if (!this.wasOpen && s.state === "connecting") return;
    const why = s.closeCode ? ` (closed with ${s.closeCode}${s.reason ? `: ${s.reason}` : ""})` : "";
    const when = s.retryInMs !== undefined ? `; retrying in ${Math.ceil(s.retryInMs / 1000)} s` : "";
    if (s.state === "closed") this.setBanner(`Disconnected from the server${why}.`);
    else this.setBanner(`Connection to the server lost${why}: reconnecting (attempt ${s.attempt})${when}…`);
  }

  private setBanner(text: string, dismissable = false): void {
    setMessage(this.banner, text, dismissable);
    this.node.dataset.banner = text ? "shown" : "";
  }

  private setNotice(text: string): void {
    setMessage(this.notice, text, true);
    this.node.dataset.reset = text ? "shown" : "";
  }

  private toolbar(): HTMLElement {
    const levelSelect = el("select", { "aria-label": "Level", "data-testid": "filter-level" },
      el("option", { value: "" }, "All levels"),
      ...LEVELS.map((l) => el("option", { value: l }, l)),
    );
    const statusSelect = el("select", { "aria-label": "Status", "data-testid": "filter-status" },
      el("option", { value: "" }, "Active and acked"),
      el("option", { value: "active" }, "Active"),
      el("option", { value: "acked" }, "Acked"),
    );
    const business = el("input", { type: "search", placeholder: "Business", "aria-label": "Business", "data-testid": "filter-business" });
    const text = el("input", { type: "search", placeholder: "Search text", "aria-label": "Text", "data-testid": "filter-text" });
    const update = () => {
      this.filter = { level: levelSelect.value, status: statusSelect.value, business: business.value, text: text.value };
      this.render();
    };
    for (const input of [levelSelect, statusSelect]) input.addEventListener("change", update);
    for (const input of [business, text]) input.addEventListener("input", update);
    this.levelSelect = levelSelect;

    const sound = toggle("Sound", this.alerter.sound, (on) => {
      this.alerter.setSound(on);
      return on;
    });
    const notify = toggle("Notify", this.alerter.notify, (on) => this.alerter.setNotify(on));
    return el("div", { class: "toolbar" }, levelSelect, statusSelect, business, text, el("span", { class: "spacer" }), sound, notify);
  }
  private levelSelect: HTMLSelectElement | undefined;

  private draw(): void {
    const counts = this.state.counts();
    this.countsBar.replaceChildren(
      ...LEVELS.map((level) => {
        const chip = el(
          "button",
          { type: "button", class: `count level ${level}`, "data-level": level, "aria-pressed": String(this.filter.level === level), title: `Show ${level} only` },
          el("span", { class: "n" }, String(counts[level])),
          el("span", {}, level),
        );
        chip.addEventListener("click", () => {
          if (!this.levelSelect) return;
          this.levelSelect.value = this.filter.level === level ? "" : level;
          this.levelSelect.dispatchEvent(new Event("change"));
        });
        return chip;
      }),
    );
    for (const level of LEVELS) this.node.dataset[`count${level[0].toUpperCase()}${level.slice(1)}`] = String(counts[level]);
    this.onCounts(counts, this.state.list({ level: "critical", status: "active", business: "", text: "" }).length);

    const list = this.state.list(this.filter);
    const shown = list.slice(0, MAX_ROWS);
    const canAck = this.session.canAck;
    const keep = new Set<string>();
    const rows = shown.map((alarm) => {
      keep.add(alarm.alarmId);
      const cached = this.rowCache.get(alarm.alarmId);
      if (cached && cached.alarm === alarm && cached.canAck === canAck) return cached.tr;
      const tr = this.row(alarm, canAck);
      this.rowCache.set(alarm.alarmId, { alarm, tr, canAck });
      return tr;
    });
    for (const id of this.rowCache.keys()) if (!keep.has(id)) this.rowCache.delete(id);
    this.tbody.replaceChildren(...rows);
    if (!list.length) {
      const empty = this.state.size ? "No alarm matches the filters." : this.synced ? "No alarms: all clear." : "Waiting for the server…";
      this.tbody.append(el("tr", { class: "empty" }, el("td", { colspan: 7 }, empty)));
    }
    this.footer.textContent =
      list.length > MAX_ROWS ? `Showing ${MAX_ROWS} of ${list.length} alarms: narrow the filters to see the rest.` : "";
    this.node.dataset.rows = String(this.state.size);
    this.node.dataset.shown = String(shown.length);
    this.node.dataset.alerts = String(this.alerter.given);
  }

  private row(a: Alarm, canAck: boolean): HTMLTableRowElement {
    const why = canAck ? undefined : "Needs a token that allows acknowledging (pulse.ack)";
    return el(
      "tr",
      { class: `alarm ${a.level} ${a.status}`, "data-alarm-id": a.alarmId, "data-level": a.level, "data-status": a.status, "data-count": a.count, tabindex: 0 },
      el("td", { "data-label": "Level" }, el("span", { class: `level ${a.level}` }, a.level)),
      el("td", { "data-label": "Last", title: `first ${formatTime(a.firstTime)}` }, formatTime(a.lastTime)),
      el("td", { "data-label": "Business", class: "business" }, a.businessType ? `${a.businessType}/${a.businessId}` : a.businessId),
      el("td", { "data-label": "Alarm", class: "title" }, el("strong", {}, a.title || a.alarmId), el("span", { class: "content" }, a.content)),
      el("td", { "data-label": "Count", class: "num" }, `×${a.count}`),
      el("td", { "data-label": "Status" }, a.status, a.ackedBy ? el("span", { class: "muted" }, ` by ${a.ackedBy}`) : null),
      el(
        "td",
        { class: "actions" },
        el("button", { type: "button", "data-action": "ack", disabled: !canAck || a.status !== "active", title: why }, "Ack"),
        el("button", { type: "button", "data-action": "clear", disabled: !canAck, title: why }, "Clear"),
      ),
    );
  }

  private onTableClick(ev: Event): void {
    const target = ev.target as HTMLElement;
    const tr = target.closest<HTMLTableRowElement>("tr[data-alarm-id]");
    const alarm = tr && this.state.get(tr.dataset.alarmId!);
    if (!alarm) return;
    const action = target.closest<HTMLButtonElement>("button[data-action]")?.dataset.action;
    if (action === "ack" || action === "clear") {
      void this.act(action, alarm);
      return;
    }
    void this.history.show(alarm, () => this.api.alarmEvents(alarm.alarmId));
  }

  // Ack and clear go over HTTP; the board changes when the resulting event arrives on the socket.
  private async act(action: "ack" | "clear", alarm: Alarm): Promise<void> {
    try {
      if (action === "ack") await this.api.ack(alarm.alarmId, this.session.authOn ? undefined : this.session.user);
      else await this.api.clear(alarm.alarmId);
    } catch (err) {
      this.setBanner(`Could not ${action} ${alarm.alarmId}: ${(err as Error).message}`, true);
    }
  }
}

// A message line with an optional ✕ that hides it; empty text hides it.
function setMessage(node: HTMLElement, text: string, dismissable: boolean): void {
  node.hidden = !text;
  node.replaceChildren(el("span", {}, text));
  if (text && dismissable) {
    const close = el("button", { type: "button", class: "icon", "aria-label": "Dismiss" }, "✕");
    close.addEventListener("click", () => (node.hidden = true));
    node.append(close);
  }
}

// An on/off button; set returns (maybe asynchronously) the state it actually reached.
function toggle(label: string, on: boolean, set: (on: boolean) => boolean | Promise<boolean>): HTMLButtonElement {
  const button = el("button", { type: "button", class: "toggle", "aria-pressed": String(on), "data-toggle": label.toLowerCase() }, label);
  button.addEventListener("click", async () => {
    const reached = await set(button.getAttribute("aria-pressed") !== "true");
    button.setAttribute("aria-pressed", String(reached));
  });
  return button;
}
