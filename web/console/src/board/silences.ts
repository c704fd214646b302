import type { Alarm, NewSilence, Silence, SilenceMatchers } from "@pulse/client";
import { el, formatTime } from "../dom";
import { businessOf, LEVELS, nameOf } from "./alarms";
import type { AlarmCalls } from "./calls";

// Silences: while one is active, the alarms it selects notify nobody (email, chat, phones); the
// board still shows them, marked. Two dialogs: one makes a silence (shelve one alarm for 1 h, 8 h
// or until it is cleared; silence a business; or alarms that match), one lists the silences with
// a Delete each. The server decides what is allowed (a token with ack, within its patterns) and
// says why not; the dialog shows what it said.

const HOUR = 3600_000;
const DURATIONS: [string, string][] = [
  ["1h", "1 hour"],
  ["8h", "8 hours"],
  ["24h", "24 hours"],
  ["cleared", "until cleared"],
];

// describe says in words what a silence's matchers select: "meter/m-1 · a-17 · critical, major · “text”".
export function describe(m: SilenceMatchers): string {
  const parts = [
    m.businesses?.length ? m.businesses.join(", ") : "every business",
    m.alarmIds?.length ? m.alarmIds.join(", ") : "",
    m.levels?.length ? m.levels.join(", ") : "",
    m.text ? `“${m.text}”` : "",
  ];
  return parts.filter(Boolean).join(" · ");
}

// until says when a silence (or an alarm's mark) ends.
export const until = (endsAt: number) => (endsAt ? `until ${formatTime(endsAt)}` : "until cleared");

type What = "alarm" | "business" | "matcher";

export class SilenceDialog {
  readonly node = el("dialog", { class: "history silence-dialog", "data-testid": "silence-dialog" });
  // Called with what the dialog made, for the status line.
  onMade: (s: Silence, name: string) => void = () => {};

  private alarm: Alarm | undefined;
  private what = el("select", { "aria-label": "What to silence", "data-testid": "silence-what" });
  private duration = el("select", { "aria-label": "For how long", "data-testid": "silence-for" });
  private businesses = el("input", { type: "text", placeholder: "meter/*, pump/p-1", "aria-label": "Businesses", "data-testid": "silence-businesses" });
  private text = el("input", { type: "text", placeholder: "Text in the title or content", "aria-label": "Text", "data-testid": "silence-text", maxlength: 512 });
  private levels = LEVELS.map((l) => el("input", { type: "checkbox", value: l, "data-level": l, "aria-label": l }));
  private comment = el("input", { type: "text", placeholder: "Why (shown to everyone)", "aria-label": "Comment", "data-testid": "silence-comment", maxlength: 1024 });
  private error = el("p", { class: "error", "data-testid": "silence-error", hidden: true });
  private submit = el("button", { type: "submit", "data-testid": "silence-submit" }, "Silence");
  private matcherFields = el(
    "fieldset",
    { class: "matcher" },
    el("legend", {}, "Alarms that match all of"),
    el("label", {}, "Businesses ", this.businesses),
    el("div", { class: "levels" }, "Levels ", ...this.levels.map((c) => el("label", {}, c, c.value))),
    el("label", {}, "Text ", this.text),
  );

  constructor(private calls: AlarmCalls) {
    const form = el(
      "form",
      { method: "dialog" },
      el("header", {}, el("h2", {}, "Silence notifications"), el("button", { class: "icon", "aria-label": "Close", type: "button", "data-action": "close" }, "✕")),
      el("p", { class: "muted" }, "Silenced alarms stay on the board, marked; nobody is notified of them until the silence ends."),
      el("label", {}, "Silence ", this.what),
      this.matcherFields,
      el("label", {}, "For ", this.duration),
      el("label", {}, "Comment ", this.comment),
      this.error,
      el("div", { class: "buttons" }, this.submit, el("button", { type: "button", "data-action": "close" }, "Cancel")),
    );
    this.node.append(form);
    for (const b of form.querySelectorAll<HTMLButtonElement>("[data-action=close]")) b.addEventListener("click", () => this.node.close());
    this.node.addEventListener("click", (ev) => {
      if (ev.target === this.node) this.node.close();
    });
    this.what.addEventListener("change", () => this.fit());
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void this.send();
    });
  }

  // open shows the dialog for alarm (shelve it or silence its business), or for a matcher.
  open(alarm?: Alarm): void {
    this.alarm = alarm;
    const options: [What, string][] = alarm
      ? [
          ["alarm", `This alarm: ${nameOf(alarm)}`],
          ["business", `Every alarm of ${businessOf(alarm)}`],
          ["matcher", "Alarms that match…"],
        ]
      : [["matcher", "Alarms that match…"]];
    this.what.replaceChildren(...options.map(([v, label]) => el("option", { value: v }, label)));
    this.businesses.value = alarm ? businessOf(alarm) : "";
    this.text.value = "";
    for (const c of this.levels) c.checked = false;
    this.comment.value = "";
    this.error.hidden = true;
    this.submit.disabled = false;
    this.fit();
    if (!this.node.open) this.node.showModal();
    this.what.focus();
  }

  // fit shows the matcher's fields for a matcher, and "until cleared" for one alarm only.
  private fit(): void {
    const what = this.what.value as What;
    this.matcherFields.hidden = what !== "matcher";
    const keep = this.duration.value;
    const options = DURATIONS.filter(([v]) => v !== "cleared" || what === "alarm");
    this.duration.replaceChildren(...options.map(([v, label]) => el("option", { value: v }, label)));
    if (options.some(([v]) => v === keep)) this.duration.value = keep;
    this.node.dataset.what = what;
  }

  private body(): NewSilence {
    const what = this.what.value as What;
    const a = this.alarm;
    let matchers: SilenceMatchers;
    if (what === "alarm" && a) matchers = { businesses: [businessOf(a)], alarmIds: [a.alarmId] };
    else if (what === "business" && a) matchers = { businesses: [businessOf(a)] };
    else {
      matchers = {};
      const businesses = this.businesses.value.split(",").map((s) => s.trim()).filter(Boolean);
      const levels = this.levels.filter((c) => c.checked).map((c) => c.value);
      if (businesses.length) matchers.businesses = businesses;
      if (levels.length) matchers.levels = levels;
      if (this.text.value.trim()) matchers.text = this.text.value.trim();
    }
    const body: NewSilence = { matchers, comment: this.comment.value.trim() };
    const d = this.duration.value;
    if (d === "cleared") body.untilCleared = true;
    else body.endsAt = Date.now() + Number.parseInt(d, 10) * HOUR;
    return body;
  }

  private async send(): Promise<void> {
    this.submit.disabled = true;
    this.error.hidden = true;
    const body = this.body();
    try {
      const made = await this.calls.silence(body);
      this.node.close();
      this.onMade(made, describe(made.matchers));
    } catch (err) {
      this.error.textContent = `Not silenced: ${(err as Error).message}`;
      this.error.hidden = false;
    } finally {
      this.submit.disabled = false;
    }
  }
}

// SilencesDialog lists the silences not ended (those within the user's patterns), each with a
// Delete that ends it now.
export class SilencesDialog {
  readonly node = el("dialog", { class: "history silences", "data-testid": "silences" });
  onNew: () => void = () => {};
  onDeleted: (s: Silence) => void = () => {};
  private body = el("div", { class: "history-body" });
  private newButton = el("button", { type: "button", "data-testid": "new-silence" }, "New silence…");

  constructor(
    private calls: AlarmCalls,
    private canAck: () => boolean,
  ) {
    const close = el("button", { class: "icon", "aria-label": "Close", type: "button" }, "✕");
    close.addEventListener("click", () => this.node.close());
    this.newButton.addEventListener("click", () => {
      this.node.close();
      this.onNew();
    });
    this.node.append(el("header", {}, el("h2", {}, "Silences"), close), el("div", { class: "buttons" }, this.newButton), this.body);
    this.node.addEventListener("click", (ev) => {
      if (ev.target === this.node) this.node.close();
    });
  }

  async open(): Promise<void> {
    this.newButton.disabled = !this.canAck();
    this.newButton.title = this.canAck() ? "" : "Needs a token that allows acknowledging (pulse.ack)";
    if (!this.node.open) this.node.showModal();
    await this.load();
  }

  private async load(): Promise<void> {
    delete this.node.dataset.count;
    this.body.replaceChildren(el("p", {}, "Loading…"));
    try {
      const list = await this.calls.silences();
      this.body.replaceChildren(list.length ? this.table(list) : el("p", { "data-testid": "no-silences" }, "No silences."));
      this.node.dataset.count = String(list.length);
    } catch (err) {
      this.body.replaceChildren(el("p", { class: "error" }, `Could not load the silences: ${(err as Error).message}`));
    }
  }

  private table(list: Silence[]): HTMLElement {
    const rows = list.map((s) => {
      const del = el("button", { type: "button", "data-action": "delete-silence", disabled: !this.canAck() }, "Delete");
      del.addEventListener("click", async () => {
        del.disabled = true;
        try {
          await this.calls.unsilence(s.id);
          this.onDeleted(s);
          await this.load();
        } catch (err) {
          del.disabled = false;
          this.body.prepend(el("p", { class: "error" }, `Could not delete: ${(err as Error).message}`));
        }
      });
      return el(
        "tr",
        { "data-silence-id": s.id },
        el("td", {}, describe(s.matchers)),
        el("td", {}, s.startsAt > Date.now() ? `from ${formatTime(s.startsAt)} ` : "", until(s.endsAt)),
        el("td", {}, s.createdBy),
        el("td", { class: "comment" }, s.comment),
        el("td", {}, del),
      );
    });
    return el(
      "table",
      {},
      el("thead", {}, el("tr", {}, ...["silences", "when", "by", "comment", ""].map((h) => el("th", {}, h)))),
      el("tbody", {}, ...rows),
    );
  }
}
