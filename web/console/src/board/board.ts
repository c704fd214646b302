import { connectAlarms, PulseError, type Alarm, type AlarmSubscription, type Api, type NoticeMessage, type StateChange } from "@pulse/client";
import { el, formatTime } from "../dom";
import type { Session } from "../session";
import { AlarmState, businessOf, compare, groupOf, keyOf, LEVELS, matches, nameOf, noFilter, type Filter, type Grouping, type Level } from "./alarms";
import { Alerter, REMIND_MS } from "./alert";
import { AssignDialog } from "./assign";
import { AlarmCalls } from "./calls";
import { ClearedView } from "./cleared";
import { download, toCsv } from "./csv";
import { HistoryDialog } from "./history";
import { SilenceDialog, SilencesDialog, until } from "./silences";
import { readParams, writeParams } from "./url";
import "./board.css";

// Rendering more rows than this helps nobody; the filters narrow the rest down.
const MAX_ROWS = 500;
// A burst of events redraws the board at most this often (a storm of 50 events a second is
// 4 redraws, not 60).
const DRAW_EVERY_MS = 250;
// The server has no un-clear: the console holds a clear this long, with an Undo, before it
// sends it.
const CLEAR_DELAY_MS = 5000;
// A table held still by a pointer nobody moves lets go after this long.
const IDLE_RELEASE_MS = 60_000;
// New alarms are announced to screen readers at most this often, counted together.
const ANNOUNCE_EVERY_MS = 2000;

type Item = { kind: "group"; id: string } | { kind: "row"; key: string };

// What the board's connection is, as the operator needs to tell it (data-connection, for tests):
//   live: open; connecting: the first attempt; lost: closed, waiting to retry (a countdown and
//   Retry now); reconnecting: an attempt after a loss; forbidden: the token has no alarms
//   patterns (the server answers 403); expired: the token has expired; refused: the server does
//   not accept the token (401); no-token: auth is on and there is no token.
type Connection = "live" | "connecting" | "lost" | "reconnecting" | "forbidden" | "expired" | "refused" | "no-token";

// One row of the table. Its elements stay the same while its alarm changes, so that the keyboard
// focus (on the row or one of its buttons) survives updates.
class Row {
  alarm: Alarm;
  readonly tr: HTMLTableRowElement;
  readonly check = el("input", { type: "checkbox", "aria-label": "Select", "data-action": "select" });
  readonly ack = el("button", { type: "button", "data-action": "ack" }, "Ack");
  readonly clear = el("button", { type: "button", "data-action": "clear" }, "Clear");
  readonly mute = el("button", { type: "button", "data-action": "silence", "aria-label": "Silence notifications" }, "Silence…");
  readonly assign = el("button", { type: "button", "data-action": "assign", "aria-label": "Assign to someone" }, "Assign…");
  private cells: HTMLTableCellElement[];
  private stamp = "";

  constructor(alarm: Alarm) {
    this.alarm = alarm;
    this.cells = ["Level", "Last", "Business", "Alarm", "Count", "Status"].map((label) => el("td", { "data-label": label }));
    this.cells[2].className = "business";
    this.cells[3].className = "title";
    this.cells[4].className = "num";
    this.tr = el("tr", { tabindex: 0 }, el("td", { class: "select" }, this.check), ...this.cells, el("td", { class: "actions" }, this.ack, this.clear, this.mute, this.assign));
  }

  // update redraws the row when anything it shows changed.
  update(a: Alarm, o: { canAck: boolean; selected: boolean; acking: boolean; clearing: boolean; reraised: boolean; ghost: boolean }): void {
    const stamp = JSON.stringify([a.status, a.count, a.lastTime, a.level, a.ackedBy, (a as { ackComment?: string }).ackComment, a.title, a.content, a.silenced, o]);
    this.alarm = a;
    if (stamp === this.stamp) return;
    this.stamp = stamp;
    const status = o.ghost ? "cleared" : a.status;
    this.tr.className = `alarm ${a.level} ${status}${o.clearing ? " clearing" : ""}${o.reraised ? " reraised" : ""}${a.silenced ? " silenced" : ""}`;
    Object.assign(this.tr.dataset, { key: keyOf(a), alarmId: a.alarmId, business: businessOf(a), level: a.level, status, count: String(a.count), silenced: a.silenced?.id ?? "" });
    const [level, last, business, title, count, state] = this.cells;
    level.replaceChildren(el("span", { class: `level ${a.level}` }, a.level));
    last.textContent = formatTime(a.lastTime);
    last.title = `first ${formatTime(a.firstTime)}`;
    business.textContent = businessOf(a);
    title.replaceChildren(el("strong", {}, a.title || a.alarmId), el("span", { class: "content" }, a.content));
    count.textContent = `×${a.count}`;
    state.replaceChildren(
      ...[
        status === "acked" ? "✓ acked" : status,
        a.ackedBy && status === "acked" ? el("span", { class: "muted" }, ` by ${a.ackedBy}`) : "",
        status === "acked" && (a as { ackComment?: string }).ackComment ? el("span", { class: "ack-comment" }, `: “${(a as { ackComment?: string }).ackComment}”`) : "",
        o.reraised ? el("span", { class: "reraised-note" }, " · raised again") : "",
        a.silenced
          ? el(
              "span",
              { class: "silenced-note", "data-testid": "silenced-note", title: `Nobody is notified of it: silenced by ${a.silenced.createdBy}${a.silenced.comment ? `: “${a.silenced.comment}”` : ""}` },
              ` · silenced ${until(a.silenced.endsAt)}`,
            )
          : "",
        o.clearing ? el("span", { class: "muted" }, " · clearing…") : "",
      ].filter((c) => c !== ""),
    );
    const why = o.canAck ? "" : "Needs a token that allows acknowledging (pulse.ack)";
    this.ack.disabled = !o.canAck || status !== "active" || o.clearing || o.acking;
    this.clear.disabled = !o.canAck || status === "cleared" || o.clearing;
    this.ack.title = why || `Acknowledge ${nameOf(a)}`;
    this.clear.title = why || `Clear ${nameOf(a)}`;
    this.mute.disabled = !o.canAck || status === "cleared";
    this.mute.title = why || `Silence the notifications of ${nameOf(a)} or its business`;
    this.assign.disabled = !o.canAck || status === "cleared";
    this.assign.title = why || `Tell someone that ${nameOf(a)} is theirs (a notice to their consoles)`;
    this.check.checked = o.selected;
    this.check.disabled = status === "cleared";
  }
}

// The alarm board: every alarm that is not cleared, one row each, unacknowledged first, then the
// most severe. The table never moves under the pointer or the keyboard focus: while either is on
// it, new alarms and reorderings wait behind an "N new" bar. The data-* attributes on its root say
// what it shows (tests read them).
export class Board {
  readonly node = el("section", { class: "board", "data-testid": "board" });
  // Called after each change with the alarms per level and the critical ones not yet acked (the
  // header's tab shows those).
  onCounts: (counts: Record<Level, number>, unackedCritical: number) => void = () => {};
  // Called with every notice to this user the board's socket brings (the page shows them).
  onNotice: (n: NoticeMessage) => void = () => {};

  private state = new AlarmState();
  private alerter = new Alerter();
  private calls: AlarmCalls;
  private history = new HistoryDialog();
  private silenceDialog: SilenceDialog;
  private silencesDialog: SilencesDialog;
  private assignDialog: AssignDialog;
  private cleared: ClearedView;
  private filter: Filter = { ...noFilter };
  private grouping: Grouping = "";
  private view: "live" | "cleared" = "live";
  private collapsed = new Set<string>();
  private selected = new Set<string>();
  private silenced = new Set<string>();
  private acking = new Set<string>(); // sent, until the socket brings the acked state
  private clearing = new Map<string, { timer: ReturnType<typeof setTimeout>; alarm: Alarm }>();
  private sub: AlarmSubscription | undefined;
  private lastState: StateChange | undefined;
  private retryAt = 0; // when a lost connection is tried again (unix ms)
  private synced = false; // alerts only for what happens after the first full state
  private wasOpen = false;

  // What the table shows, in order; kept while the pointer or the focus is on the table.
  private layout: Item[] = [];
  private rows = new Map<string, Row>();
  private groupRows = new Map<string, HTMLTableRowElement>();
  private pointerIn = false;
  private lastActivity = 0;
  private focusIn = false;
  private relayout = true; // the user asked for a new order (a filter, a group, "N new")
  private waiting = 0; // alarms not shown yet because the table holds still

  private announceQueue: Alarm[] = [];
  private announceTimer: ReturnType<typeof setTimeout> | undefined;
  private announced = 0;
  private reminders = 0;

  private banner = el("div", { class: "banner", role: "alert", hidden: true });
  private connectionText = el("span", { "data-testid": "connection-text" });
  private retryButton = el("button", { type: "button", class: "retry", "data-testid": "retry-now", hidden: true }, "Retry now");
  private notice = el("div", { class: "banner notice", role: "status", hidden: true });
  private chips = el("div", { class: "chips" });
  private soundToggles = el("span", { class: "sound-toggles" });
  private enableSound = el("button", { type: "button", class: "enable-sound", "data-testid": "enable-sound", hidden: true }, "Click to enable sound");
  private silence = el("button", { type: "button", class: "silence", "data-testid": "silence", hidden: true, title: "Stop this browser's tone for the critical alarms waiting now (server silences: the Silences button)" }, "Mute tone");
  private newBar = el("button", { type: "button", class: "new-bar", "data-testid": "new-bar", hidden: true });
  private hiddenBar = el("button", { type: "button", class: "hidden-bar", "data-testid": "hidden-critical", hidden: true });
  private statusText = el("span", { "data-testid": "status-text" });
  private undo = el("button", { type: "button", class: "undo", "data-testid": "undo", hidden: true }, "Undo");
  private statusLine = el("div", { class: "status-line", role: "status", "data-testid": "status-line" }, this.statusText, this.undo);
  private announcer = el("div", { class: "visually-hidden", "aria-live": "polite", "data-testid": "announcer" });
  private selectAll = el("input", { type: "checkbox", "aria-label": "Select all shown", "data-testid": "select-all" });
  private comment = el("input", { type: "text", placeholder: "Comment", "aria-label": "Comment for the acknowledgement", "data-testid": "ack-comment", maxlength: 1024 });
  private bulkAck = el("button", { type: "button", "data-testid": "ack-selected", disabled: true }, "Ack selected");
  private table = el("table", { class: "alarms" });
  private tbody = el("tbody");
  private live = el("div", { class: "live" });
  private footer = el("p", { class: "muted board-footer" });
  private controls: { level: HTMLSelectElement; status: HTMLSelectElement; business: HTMLInputElement; text: HTMLInputElement; group: HTMLSelectElement; view: HTMLSelectElement } | undefined;
  private render: () => void;

  constructor(
    private session: Session,
    private api: Api,
  ) {
    this.calls = new AlarmCalls(api, session);
    this.cleared = new ClearedView(this.calls);
    this.silenceDialog = new SilenceDialog(this.calls);
    this.silenceDialog.onMade = (_, what) => this.say(`Silenced ${what}`);
    this.silencesDialog = new SilencesDialog(this.calls, () => this.session.canAck);
    this.silencesDialog.onNew = () => this.silenceDialog.open();
    this.silencesDialog.onDeleted = () => this.say("Silence deleted: its alarms notify again");
    this.assignDialog = new AssignDialog(api, () => this.session.user);
    this.assignDialog.onSent = (a, user) => this.say(`Assigned ${nameOf(a)} to ${user}: a notice went to their consoles`);
    this.render = throttled(() => this.draw(), DRAW_EVERY_MS);
    this.table.append(
      el(
        "thead",
        {},
        el("tr", {}, el("th", { class: "select" }, this.selectAll), ...["Level", "Last", "Business", "Alarm", "Count", "Status", ""].map((h) => el("th", {}, h))),
      ),
      this.tbody,
    );
    this.live.append(el("div", { class: "table-wrap" }, this.table), this.footer);
    this.node.append(
      this.banner,
      this.notice,
      el("div", { class: "counts" }, el("div", { class: "counts-row" }, this.chips, this.enableSound, this.silence, el("span", { class: "spacer" }), this.soundToggles), el("div", { class: "counts-row notices" }, this.newBar, this.hiddenBar, this.statusLine)),
      this.toolbar(),
      this.live,
      this.cleared.node,
      this.announcer,
      this.history.node,
      this.silenceDialog.node,
      this.silencesDialog.node,
      this.assignDialog.node,
    );
    this.readUrl();

    // Audio may start only after a gesture: any click on the page unlocks it.
    document.addEventListener("click", () => this.alerter.unlock());
    this.alerter.onChange = () => this.drawSound();
    this.enableSound.addEventListener("click", () => this.alerter.unlock());
    this.silence.addEventListener("click", () => {
      const waiting = [...this.state.values()].filter((a) => a.level === "critical" && a.status === "active" && !this.silenced.has(keyOf(a)));
      for (const a of waiting) this.silenced.add(keyOf(a));
      this.say(`Muted the tone of ${waiting.length === 1 ? nameOf(waiting[0]) : `${waiting.length} critical alarms`} until acknowledged; a new critical sounds again`);
      this.render();
    });
    this.newBar.addEventListener("click", () => this.applyWaiting());
    this.hiddenBar.addEventListener("click", () => this.jumpToHidden());
    this.undo.addEventListener("click", () => this.undoClear());
    this.selectAll.addEventListener("change", () => {
      for (const item of this.layout) if (item.kind === "row" && this.state.get(item.key)) this.selectAll.checked ? this.selected.add(item.key) : this.selected.delete(item.key);
      this.render();
    });
    this.bulkAck.addEventListener("click", () => void this.ackSelected());
    this.retryButton.addEventListener("click", () => this.retryNow());
    // Every second, a lost connection's countdown counts down.
    setInterval(() => {
      if (this.node.dataset.connection === "lost") this.showState();
    }, 1000);

    // The table holds still while the pointer is over it or the focus is in it.
    // Only keyboard focus holds it (a mouse click on Ack leaves the focus on the button, which
    // must not freeze the board once the pointer has left); a pointer resting on the table with
    // nobody moving it lets go after a minute, so that an unattended wall screen stays live.
    const wrap = this.table; // the table, header included
    wrap.addEventListener("pointerenter", () => this.hold("pointer", true));
    wrap.addEventListener("pointerleave", () => this.hold("pointer", false));
    wrap.addEventListener("pointermove", () => {
      this.lastActivity = performance.now();
      if (!this.pointerIn) this.hold("pointer", true);
    });
    wrap.addEventListener("keydown", () => (this.lastActivity = performance.now()));
    wrap.addEventListener("focusin", (ev) => {
      if ((ev.target as HTMLElement).matches(":focus-visible")) this.hold("focus", true);
    });
    wrap.addEventListener("focusout", (ev) => {
      // Focus that goes nowhere (a button it was on became disabled) keeps the hold until the
      // user points or focuses elsewhere.
      if (ev.relatedTarget && !wrap.contains(ev.relatedTarget as Node)) this.hold("focus", false);
    });
    document.addEventListener("pointerdown", (ev) => {
      if (!wrap.contains(ev.target as Node)) this.hold("focus", false);
    });
    document.addEventListener("focusin", (ev) => {
      if (!wrap.contains(ev.target as Node)) this.hold("focus", false);
    });

    this.tbody.addEventListener("click", (ev) => this.onTableClick(ev));
    this.tbody.addEventListener("keydown", (ev) => {
      if (ev.key !== "Enter") return;
      const target = ev.target as HTMLElement;
      if (target.matches("tr[data-key]")) {
        // Without preventDefault the Enter's keypress lands on the dialog's focused Close
        // button and closes the dialog it just opened.
        ev.preventDefault();
        this.onTableClick(ev);
      } else if (target.matches("tr.group")) {
        ev.preventDefault();
        this.toggleGroup(target.dataset.group!);
      }
    });
    setInterval(() => this.remind(), REMIND_MS);
    // The counts bar sticks just below the page's header, however high the header wraps (the
    // shell adds the header after making the board, hence the microtask).
    queueMicrotask(() => {
      const header = document.querySelector<HTMLElement>("header.top");
      if (!header) return;
      const stick = () => this.node.style.setProperty("--board-sticky-top", `${header.offsetHeight}px`);
      new ResizeObserver(stick).observe(header);
      stick();
    });
    this.draw();
  }

  // (Re)opens the alarm socket with the session's current token; the board starts empty and the
  // server sends the current state.
  connect(): void {
    this.disconnect();
    if (this.session.authOn && this.session.expired) return this.expire();
    if (!this.session.canConnect) {
      return this.setConnection("no-token", "Authentication is on: paste a token to see the alarms.");
    }
    // The server refuses a token without alarms patterns at the door (403): say so, not retry.
    if (this.session.authOn && !this.session.claims.pulse?.alarms?.length) return this.forbidden();
    this.setBanner("");
    // With auth off the console names its user (?user=), whose notices it receives.
    const sub = connectAlarms({ token: this.session.token || undefined, user: this.session.authOn ? undefined : this.session.user });
    this.sub = sub;
    sub.on("alarm", (msg) => {
      const change = this.state.apply(msg);
      if (this.synced) {
        if (change.alert) this.alerter.alert(msg.data);
        if (change.isNew) this.announce(msg.data);
      }
      if (msg.data.status !== "active") {
        this.silenced.delete(keyOf(msg.data));
        this.acking.delete(keyOf(msg.data));
      }
      if (msg.data.status === "cleared") this.selected.delete(keyOf(msg.data));
      this.render();
    });
    sub.on("synced", () => {
      this.synced = true;
      this.node.dataset.synced = "true";
      this.render();
      if (this.showing) this.showAlarm(this.showing);
    });
    sub.on("reset", () => {
      this.state.clear();
      this.synced = false;
      this.relayout = true;
      this.setNotice("The server could not resume from where this board was, so the board was reloaded from its current state.");
      this.render();
    });
    sub.on("notice", (n) => this.onNotice(n));
    sub.on("state", (s) => this.onState(sub, s));
    sub.on("error", (e) => this.setBanner(`The server refused a request: ${e.message} (code ${e.code})`, true));
  }

  disconnect(): void {
    this.closeSocket();
    this.state.clear();
    this.synced = false;
    this.wasOpen = false;
    this.relayout = true;
    delete this.node.dataset.synced;
    this.render();
  }

  // The session changed (token, auth, name): buttons may change, and a token that has just
  // expired stops the socket (the server would close it).
  // showAlarm opens the history of the alarm named by its board key (keyOf), once the board
  // has it: a tapped push notification shows its alarm.
  private showing = "";
  showAlarm(key: string): void {
    const alarm = this.synced ? this.state.get(key) : undefined;
    this.showing = this.synced ? "" : key;
    if (!alarm) return;
    this.tbody.querySelector<HTMLElement>(`tr[data-key="${CSS.escape(key)}"]`)?.scrollIntoView({ block: "center" });
    void this.history.show(alarm, () => this.calls.events(alarm), () => this.calls.deliveries(alarm));
  }

  refresh(): void {
    if (this.session.authOn && this.session.expired && this.node.dataset.connection !== "expired") this.expire();
    this.render();
  }

  // Closes the socket; what the board shows stays.
  private closeSocket(): void {
    const sub = this.sub;
    this.sub = undefined; // its "closed" is not this board's news
    this.lastState = undefined;
    sub?.close();
    this.node.dataset.state = "closed";
  }

  private onState(sub: AlarmSubscription, s: StateChange): void {
    if (sub !== this.sub) return;
    this.node.dataset.state = s.state;
    this.lastState = s;
    if (s.state === "open") this.wasOpen = true;
    if (s.state === "reconnecting") {
      this.retryAt = Date.now() + (s.retryInMs ?? 0);
      this.node.dataset.retryAt = String(this.retryAt);
      // A socket refused at the door closes with 1006 like a broken one: the alarm list, under
      // the same rules, says whether the token is the reason (401, 403).
      if (s.closeCode === 1006 && this.session.authOn) void this.probe(sub);
    }
    this.showState();
  }

  private showState(): void {
    const s = this.lastState;
    if (!s) return;
    if (s.state === "open") return this.setConnection("live", "");
    if (s.state === "connecting") {
      if (!this.wasOpen && s.attempt === 0) return this.setConnection("connecting", "");
      return this.setConnection("reconnecting", `Connection to the server lost: reconnecting (attempt ${s.attempt + 1})…`);
    }
    if (s.state === "reconnecting") {
      const why = s.closeCode ? ` (closed with ${s.closeCode}${s.reason ? `: ${s.reason}` : ""})` : "";
      const left = Math.max(0, Math.ceil((this.retryAt - Date.now()) / 1000));
      return this.setConnection("lost", `Connection to the server lost${why}: retrying in ${left} s.`);
    }
  }

  // Retry now: the waiting attempt is made at once, on the same subscription, so the board
  // resumes from the last event it has (since) and keeps what it shows.
  private retryNow(): void {
    if (this.node.dataset.connection !== "lost") return;
    this.sub?.retryNow();
  }

  // Asks the alarm list whether the server refuses the token; a server that is away (status 0)
  // or answers is the socket's business.
  private async probe(sub: AlarmSubscription): Promise<void> {
    try {
      await this.api.listAlarms({ limit: 1 });
    } catch (err) {
      if (sub !== this.sub || !(err instanceof PulseError)) return;
      if (err.status === 403) this.forbidden();
      else if (err.status === 401) {
        this.closeSocket();
        this.setConnection("refused", `The server refused your token (${err.message}): paste a valid one to see the alarms.`);
      }
    }
  }

  // The token expired: the socket stops and the alarms shown stay, marked as no longer live.
  private expire(): void {
    this.closeSocket();
    this.setConnection("expired", `Your token expired at ${formatTime(this.session.expiresAt)}: the board is no longer live and Ack is off. Paste a new token.`);
  }

  private forbidden(): void {
    this.closeSocket();
    this.setConnection("forbidden", "Not permitted: your token allows no alarms (it has no alarms patterns), so the server refuses the board. Paste a token that allows alarms.");
  }

  // Says what the connection is in the banner (none when live or on the first attempt); data-
  // connection and data-connections (the last ones, in order: an attempt may last a few
  // milliseconds) are for tests.
  private setConnection(status: Connection, text: string): void {
    if (this.node.dataset.connection !== status) {
      const log = [...(this.node.dataset.connections ?? "").split(" ").filter(Boolean), status];
      this.node.dataset.connections = " " + log.slice(-12).join(" ");
    }
    this.node.dataset.connection = status;
    this.connectionText.textContent = text;
    this.retryButton.hidden = status !== "lost";
    if (this.banner.firstChild !== this.connectionText) this.banner.replaceChildren(this.connectionText, this.retryButton);
    this.banner.hidden = !text;
    this.banner.dataset.connection = status;
    this.node.dataset.banner = text ? "shown" : "";
  }

  private setBanner(text: string, dismissable = false): void {
    setMessage(this.banner, text, dismissable);
    this.node.dataset.banner = text ? "shown" : "";
  }

  private setNotice(text: string): void {
    setMessage(this.notice, text, true);
    this.node.dataset.reset = text ? "shown" : "";
  }

  // say puts a sentence in the status line (what the last action did), with an Undo when given.
  private say(text: string, undo = false): void {
    this.statusText.textContent = text;
    this.undo.hidden = !undo;
  }

  private hold(by: "pointer" | "focus", on: boolean): void {
    if (on) this.lastActivity = performance.now();
    if (by === "pointer") this.pointerIn = on;
    else this.focusIn = on;
    this.node.dataset.held = String(this.held);
    if (!this.held && this.waiting) this.relayout = true;
    this.render();
  }

  private get held(): boolean {
    return this.pointerIn || this.focusIn;
  }

  private applyWaiting(): void {
    this.relayout = true;
    this.draw();
  }

  private toolbar(): HTMLElement {
    const level = el("select", { "aria-label": "Level", "data-testid": "filter-level" },
      el("option", { value: "" }, "All levels"),
      ...LEVELS.map((l) => el("option", { value: l }, l)),
    );
    const status = el("select", { "aria-label": "Status", "data-testid": "filter-status" },
      el("option", { value: "" }, "Active and acked"),
      el("option", { value: "active" }, "Active"),
      el("option", { value: "acked" }, "Acked"),
    );
    const business = el("input", { type: "search", placeholder: "Business", "aria-label": "Business", "data-testid": "filter-business" });
    const text = el("input", { type: "search", placeholder: "Search text", "aria-label": "Text", "data-testid": "filter-text" });
    const group = el("select", { "aria-label": "Group by", "data-testid": "group-by" },
      el("option", { value: "" }, "No grouping"),
      el("option", { value: "business" }, "Group by business"),
      el("option", { value: "title" }, "Group by title"),
    );
    const view = el("select", { "aria-label": "View", "data-testid": "view" },
      el("option", { value: "live" }, "Live"),
      el("option", { value: "cleared" }, "Cleared"),
    );
    this.controls = { level, status, business, text, group, view };
    const update = () => {
      this.filter = { level: level.value, status: status.value, business: business.value, text: text.value };
      this.grouping = group.value as Grouping;
      this.relayout = true;
      this.writeUrl();
      this.render();
    };
    for (const input of [level, status, group]) input.addEventListener("change", update);
    for (const input of [business, text]) input.addEventListener("input", update);
    view.addEventListener("change", () => this.showView(view.value === "cleared" ? "cleared" : "live"));
    this.cleared.onQuery = () => this.writeUrl();

    const sound = toggle("Sound", this.alerter.sound, (on) => {
      this.alerter.setSound(on);
      return on;
    });
    const notify = toggle("Notify", this.alerter.notify, async (on) => {
      const r = await this.alerter.setNotify(on);
      this.node.dataset.notify = r.denied ? "denied" : r.on ? "on" : "off";
      if (r.denied) this.setNotice("The browser blocks notifications for this page: allow them in the site's settings (the lock icon by the address) to be notified.");
      return r.on;
    });
    this.soundToggles.append(sound, notify);
    const exportCsv = el("button", { type: "button", "data-testid": "export-csv" }, "Export CSV");
    const silences = el("button", { type: "button", "data-testid": "silences-button", title: "Silences: alarms whose notifications are held back" }, "Silences");
    silences.addEventListener("click", () => void this.silencesDialog.open());
    exportCsv.addEventListener("click", () => this.exportCsv());
    this.bulkAck.title = "Acknowledge the selected alarms, with the comment";
    return el(
      "div",
      { class: "toolbar" },
      view, level, status, business, text, group, silences,
      el("span", { class: "spacer" }),
      el("span", { class: "desk-tools" }, this.comment, this.bulkAck, exportCsv),
    );
  }

  private showView(view: "live" | "cleared"): void {
    this.view = view;
    if (this.controls) this.controls.view.value = view;
    this.live.hidden = view !== "live";
    this.cleared.node.hidden = view !== "cleared";
    this.node.dataset.view = view;
    this.writeUrl();
    if (view === "cleared") void this.cleared.load(true);
  }

  private readUrl(): void {
    const p = readParams();
    const c = this.controls!;
    c.level.value = LEVELS.includes(p.level as Level) ? p.level : "";
    c.status.value = ["active", "acked"].includes(p.status) ? p.status : "";
    c.business.value = p.business ?? "";
    c.text.value = p.text ?? "";
    c.group.value = ["business", "title"].includes(p.group) ? p.group : "";
    this.filter = { level: c.level.value, status: c.status.value, business: c.business.value, text: c.text.value };
    this.grouping = c.group.value as Grouping;
    this.cleared.setQuery({ from: p.from ?? "", to: p.to ?? "", q: p.q ?? "" });
    this.showView(p.view === "cleared" ? "cleared" : "live");
  }

  private writeUrl(): void {
    const cleared = this.view === "cleared" ? this.cleared.query : { from: "", to: "", q: "" };
    writeParams({ ...this.filter, group: this.grouping, view: this.view === "cleared" ? "cleared" : "", ...cleared });
  }

  private exportCsv(): void {
    const alarms =
      this.view === "cleared"
        ? this.cleared.items
        : this.layout.flatMap((i) => (i.kind === "row" && this.state.get(i.key) ? [this.state.get(i.key)!] : []));
    const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
    download(`pulse-alarms-${this.view}-${stamp}.csv`, toCsv(alarms));
  }

  // The order the table would have now: groups (by their most urgent alarm) and their rows.
  private wantedLayout(list: Alarm[]): Item[] {
    if (!this.grouping) return list.map((a) => ({ kind: "row", key: keyOf(a) }));
    const groups = new Map<string, string[]>();
    for (const a of list) {
      const g = groupOf(a, this.grouping);
      const keys = groups.get(g) ?? [];
      if (!keys.length) groups.set(g, keys);
      keys.push(keyOf(a));
    }
    const out: Item[] = [];
    for (const [id, keys] of groups) {
      out.push({ kind: "group", id });
      if (!this.collapsed.has(id)) for (const key of keys) out.push({ kind: "row", key });
    }
    return out;
  }

  private draw(): void {
    const counts = this.state.counts();
    const totals = Object.fromEntries(LEVELS.map((l) => [l, counts[l].total])) as Record<Level, number>;
    this.chips.replaceChildren(
      ...LEVELS.map((level) => {
        const chip = el(
          "button",
          {
            type: "button",
            class: `count level ${level}`,
            "data-level": level,
            "aria-pressed": String(this.filter.level === level),
            title: `${counts[level].unacked} ${level} not acknowledged of ${counts[level].total}; click to show ${level} only`,
          },
          el("span", { class: "n" }, String(counts[level].unacked)),
          el("span", { class: "of" }, `/${counts[level].total}`),
          el("span", {}, level),
        );
        chip.addEventListener("click", () => {
          const c = this.controls!;
          c.level.value = this.filter.level === level ? "" : level;
          c.level.dispatchEvent(new Event("change"));
        });
        return chip;
      }),
    );
    for (const level of LEVELS) {
      const name = level[0].toUpperCase() + level.slice(1);
      this.node.dataset[`count${name}`] = String(counts[level].total);
      this.node.dataset[`unacked${name}`] = String(counts[level].unacked);
    }
    this.onCounts(totals, counts.critical.unacked);

    const list = this.state.list(this.filter);
    const shown = list.slice(0, MAX_ROWS);
    const wanted = this.wantedLayout(shown);
    if (this.relayout || !this.held) {
      this.layout = wanted;
      this.relayout = false;
    }
    const inLayout = new Set(this.layout.map((i) => (i.kind === "row" ? i.key : "")));
    const inGroups = new Set(this.layout.map((i) => (i.kind === "group" ? i.id : "")));
    this.waiting = 0;
    for (const i of wanted) if (i.kind === "row" ? !inLayout.has(i.key) : !inGroups.has(i.id)) this.waiting += i.kind === "row" ? 1 : 0;
    this.newBar.hidden = this.waiting === 0;
    this.newBar.textContent = `${this.waiting} new — click to show`;
    this.node.dataset.waiting = String(this.waiting);

    const canAck = this.session.canAck;
    const nodes: HTMLTableRowElement[] = [];
    const keep = new Set<string>();
    const keepGroups = new Set<string>();
    for (const item of this.layout) {
      if (item.kind === "group") {
        keepGroups.add(item.id);
        nodes.push(this.groupRow(item.id, list));
        continue;
      }
      const alarm = this.state.get(item.key);
      let row = this.rows.get(item.key);
      if (!alarm && !row) continue;
      if (!row) {
        row = new Row(alarm!);
        this.rows.set(item.key, row);
      }
      keep.add(item.key);
      // A cleared alarm stays as a ghost until the table may move.
      row.update(alarm ?? row.alarm, {
        canAck,
        selected: this.selected.has(item.key),
        acking: this.acking.has(item.key),
        clearing: this.clearing.has(item.key),
        reraised: this.state.reraised.has(item.key),
        ghost: !alarm,
      });
      nodes.push(row.tr);
    }
    for (const key of this.rows.keys()) if (!keep.has(key)) this.rows.delete(key);
    for (const id of this.groupRows.keys()) if (!keepGroups.has(id)) this.groupRows.delete(id);
    reconcile(this.tbody, nodes);
    if (!nodes.length) {
      const empty = this.state.size ? "No alarm matches the filters." : this.synced ? "No alarms: all clear." : "Waiting for the server…";
      this.tbody.append(el("tr", { class: "empty" }, el("td", { colspan: 8 }, empty)));
    }
    this.footer.textContent =
      list.length > MAX_ROWS ? `Showing ${MAX_ROWS} of ${list.length} alarms: narrow the filters to see the rest.` : "";

    // Unacknowledged criticals the filter hides.
    let hidden = 0;
    for (const a of this.state.values()) if (a.level === "critical" && a.status === "active" && !matches(a, this.filter)) hidden++;
    this.hiddenBar.hidden = hidden === 0;
    this.hiddenBar.textContent = `⚠ ${hidden} new critical hidden by filter — show`;
    this.node.dataset.hiddenCritical = String(hidden);

    const selectable = this.layout.filter((i) => i.kind === "row" && this.state.get(i.key)).length;
    for (const key of this.selected) if (!this.state.get(key)) this.selected.delete(key);
    this.selectAll.checked = selectable > 0 && this.selected.size >= selectable;
    this.bulkAck.disabled = !canAck || this.selected.size === 0;
    this.bulkAck.textContent = this.selected.size ? `Ack selected (${this.selected.size})` : "Ack selected";
    this.node.dataset.selected = String(this.selected.size);

    this.node.dataset.rows = String(this.state.size);
    this.node.dataset.shown = String(nodes.length - keepGroups.size);
    this.node.dataset.pendingClears = String(this.clearing.size);
    this.drawSound();
  }

  private groupRow(id: string, list: Alarm[]): HTMLTableRowElement {
    let tr = this.groupRows.get(id);
    if (!tr) {
      tr = el("tr", { class: "group", tabindex: 0, "data-group": id });
      this.groupRows.set(id, tr);
    }
    let total = 0;
    let unacked = 0;
    for (const a of list) {
      if (groupOf(a, this.grouping) !== id) continue;
      total++;
      if (a.status === "active") unacked++;
    }
    const open = !this.collapsed.has(id);
    const label = `${open ? "▾" : "▸"} ${id}`;
    const counts = `${total} alarm${total === 1 ? "" : "s"}, ${unacked} unacked`;
    if (tr.dataset.label !== label + counts) {
      tr.dataset.label = label + counts;
      tr.dataset.total = String(total);
      tr.dataset.unacked = String(unacked);
      tr.setAttribute("aria-expanded", String(open));
      tr.replaceChildren(el("td", { colspan: 8 }, el("strong", {}, label), " ", el("span", { class: "muted" }, counts)));
    }
    return tr;
  }

  private toggleGroup(id: string): void {
    if (this.collapsed.has(id)) this.collapsed.delete(id);
    else this.collapsed.add(id);
    this.relayout = true;
    this.draw();
  }

  private drawSound(): void {
    const sound = this.alerter.soundState;
    this.enableSound.hidden = sound !== "blocked";
    const pending = this.unsilencedCriticals();
    this.silence.hidden = pending === 0 || sound === "off";
    this.silence.textContent = `Mute tone (${pending})`;
    Object.assign(this.node.dataset, {
      sound,
      alerts: String(this.alerter.alerts),
      tones: String(this.alerter.tones),
      notifications: String(this.alerter.notifications),
      reminders: String(this.reminders),
      announced: String(this.announced),
    });
  }

  private unsilencedCriticals(): number {
    let n = 0;
    // A critical under a server silence is marked on the board; its tone does not repeat either.
    for (const a of this.state.values()) if (a.level === "critical" && a.status === "active" && !a.silenced && !this.silenced.has(keyOf(a))) n++;
    return n;
  }

  // Every few seconds: a tone again while unacknowledged, unsilenced critical alarms remain.
  private remind(): void {
    if (this.held && performance.now() - this.lastActivity > IDLE_RELEASE_MS) {
      this.pointerIn = false;
      this.focusIn = false;
      this.hold("pointer", false);
    }
    if (!this.synced) return;
    this.reminders++;
    this.alerter.remind(this.unsilencedCriticals());
    this.drawSound();
  }

  // New alarms are told to screen readers, a few seconds' worth in one sentence.
  private announce(a: Alarm): void {
    this.announceQueue.push(a);
    if (this.announceTimer !== undefined) return;
    this.announceTimer = setTimeout(() => {
      this.announceTimer = undefined;
      const alarms = this.announceQueue;
      this.announceQueue = [];
      const per = LEVELS.map((l) => [l, alarms.filter((a) => a.level === l).length] as const).filter(([, n]) => n);
      this.announcer.textContent =
        alarms.length === 1
          ? `New ${alarms[0].level} alarm: ${nameOf(alarms[0])}`
          : `${alarms.length} new alarms: ${per.map(([l, n]) => `${n} ${l}`).join(", ")}`;
      this.announced++;
      this.drawSound();
    }, ANNOUNCE_EVERY_MS);
  }

  private jumpToHidden(): void {
    const c = this.controls!;
    c.level.value = "";
    c.status.value = "";
    c.business.value = "";
    c.text.value = "";
    this.filter = { ...noFilter };
    this.collapsed.clear();
    this.relayout = true;
    this.writeUrl();
    this.draw();
    const first = [...this.state.values()].filter((a) => a.level === "critical" && a.status === "active").sort(compare)[0];
    const row = first && this.rows.get(keyOf(first));
    if (row) {
      row.tr.scrollIntoView({ block: "center" });
      row.tr.classList.add("flash");
      setTimeout(() => row.tr.classList.remove("flash"), 2000);
    }
  }

  private onTableClick(ev: Event): void {
    const target = ev.target as HTMLElement;
    const group = target.closest<HTMLTableRowElement>("tr.group");
    if (group) {
      this.toggleGroup(group.dataset.group!);
      return;
    }
    const tr = target.closest<HTMLTableRowElement>("tr[data-key]");
    const key = tr?.dataset.key;
    if (!key) return;
    const alarm = this.state.get(key);
    const action = target.closest<HTMLElement>("[data-action]")?.dataset.action;
    if (action === "select") {
      if ((target as HTMLInputElement).checked) this.selected.add(key);
      else this.selected.delete(key);
      this.render();
      return;
    }
    if (!alarm) return; // a cleared alarm waiting to leave the table
    if (action === "ack") return void this.ack(alarm);
    if (action === "clear") return this.clearLater(alarm);
    if (action === "silence") return this.silenceDialog.open(alarm);
    if (action === "assign") return this.assignDialog.open(alarm);
    if (target.closest("button, input")) return;
    void this.history.show(alarm, () => this.calls.events(alarm), () => this.calls.deliveries(alarm));
  }

  // openAlarm shows one alarm (a notice named it): its row flashes, and its history opens; an
  // alarm the board does not hold (cleared, or outside the filters) opens by its name alone.
  openAlarm(ref: { businessType: string; businessId: string; alarmId: string }): void {
    const alarm = this.state.get(keyOf(ref));
    const row = alarm && this.rows.get(keyOf(alarm));
    if (row) {
      row.tr.scrollIntoView({ block: "center" });
      row.tr.classList.add("flash");
      setTimeout(() => row.tr.classList.remove("flash"), 2000);
    }
    const shown = alarm ?? ({ ...ref, title: ref.alarmId } as Alarm);
    void this.history.show(shown, () => this.calls.events(shown), () => this.calls.deliveries(shown));
  }

  // Ack goes over HTTP on the alarm's canonical path; the row changes when the resulting event
  // arrives on the socket. The status line names the alarm acted on.
  private async ack(alarm: Alarm): Promise<void> {
    const name = nameOf(alarm);
    const key = keyOf(alarm);
    this.acking.add(key);
    this.say(`Acknowledging ${name}…`);
    this.render();
    try {
      await this.calls.ack(alarm, this.comment.value.trim());
      this.say(`Acknowledged ${name}`);
    } catch (err) {
      this.acking.delete(key);
      this.say(`Could not acknowledge ${name}: ${(err as Error).message}`);
      this.render();
    }
  }

  private async ackSelected(): Promise<void> {
    const alarms = [...this.selected].map((k) => this.state.get(k)).filter((a): a is Alarm => !!a && a.status === "active");
    this.selected.clear();
    this.render();
    if (!alarms.length) return this.say("The selected alarms are already acknowledged.");
    const comment = this.comment.value.trim();
    this.say(`Acknowledging ${alarms.length} alarms…`);
    try {
      const r = await this.calls.ackMany(alarms, comment);
      const one = alarms.length === 1 ? ` ${nameOf(alarms[0])}` : ` ${r.acked} alarms`;
      this.say(`Acknowledged${one}${comment ? ` with “${comment}”` : ""}${r.refused.length ? `; ${r.refused.length} refused: ${r.refused[0]}` : ""}`);
      this.comment.value = "";
    } catch (err) {
      this.say(`Could not acknowledge the selected alarms: ${(err as Error).message}`);
    }
  }

  // The server has no un-clear, so a clear is held here for a few seconds, with an Undo in the
  // status line, and only then sent.
  private clearLater(alarm: Alarm): void {
    const key = keyOf(alarm);
    if (this.clearing.has(key)) return;
    const name = nameOf(alarm);
    const timer = setTimeout(async () => {
      this.clearing.delete(key);
      if (this.lastClear === key) this.say(`Clearing ${name}…`);
      try {
        await this.calls.clear(alarm, this.comment.value.trim());
        this.say(`Cleared ${name}`);
      } catch (err) {
        this.say(`Could not clear ${name}: ${(err as Error).message}`);
      }
      this.render();
    }, CLEAR_DELAY_MS);
    this.clearing.set(key, { timer, alarm });
    this.lastClear = key;
    this.say(`Clearing ${name} in ${CLEAR_DELAY_MS / 1000} s`, true);
    this.render();
  }
  private lastClear = "";

  private undoClear(): void {
    const pending = this.clearing.get(this.lastClear);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.clearing.delete(this.lastClear);
    this.say(`Undone: ${nameOf(pending.alarm)} stays`);
    this.render();
  }
}

// reconcile makes parent's children exactly nodes, moving only what is out of place (a table
// whose rows did not change is not touched).
function reconcile(parent: HTMLElement, nodes: HTMLElement[]): void {
  let cur = parent.firstChild;
  for (const node of nodes) {
    if (cur === node) {
      cur = cur.nextSibling;
      continue;
    }
    parent.insertBefore(node, cur);
  }
  while (cur) {
    const next = cur.nextSibling;
    cur.remove();
    cur = next;
  }
}

// throttled runs fn on an animation frame at most once per everyMs however often it is asked.
function throttled(fn: () => void, everyMs: number): () => void {
  let pending = false;
  let last = -Infinity;
  return () => {
    if (pending) return;
    pending = true;
    const wait = Math.max(0, last + everyMs - performance.now());
    setTimeout(
      () =>
        requestAnimationFrame(() => {
          pending = false;
          last = performance.now();
          fn();
        }),
      wait,
    );
  };
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
