import type { Alarm, Api } from "@pulse/client";
import { el } from "../dom";
import { nameOf } from "./alarms";

// Assigning an alarm to someone sends them a notice (POST /api/v1/users/{user}/notices): "alarm
// X is yours", about the alarm's business, with its id in data, so that their consoles show it
// and open the alarm on a click. It changes nothing on the alarm itself. The server decides who
// may (a token with ack whose alarms patterns cover the business) and says why not.
export class AssignDialog {
  readonly node = el("dialog", { class: "history assign-dialog", "data-testid": "assign-dialog" });
  // Called once the notice was sent, for the status line.
  onSent: (alarm: Alarm, user: string) => void = () => {};

  private alarm: Alarm | undefined;
  private title = el("h2", {});
  private user = el("input", { type: "text", required: true, maxlength: 128, placeholder: "User name", "aria-label": "Assign to user", "data-testid": "assign-user" });
  private error = el("p", { class: "error", "data-testid": "assign-error", hidden: true });
  private submit = el("button", { type: "submit", "data-testid": "assign-submit" }, "Assign");

  constructor(
    private api: Api,
    private me: () => string,
  ) {
    const cancel = el("button", { type: "button" }, "Cancel");
    const form = el("form", { method: "dialog" }, el("label", {}, "To ", this.user), this.error, el("div", { class: "buttons" }, this.submit, cancel));
    this.node.append(this.title, form);
    cancel.addEventListener("click", () => this.node.close());
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void this.send();
    });
  }

  open(alarm: Alarm): void {
    this.alarm = alarm;
    this.title.textContent = `Assign ${nameOf(alarm)}`;
    this.error.hidden = true;
    this.submit.disabled = false;
    if (!this.node.open) this.node.showModal();
    this.user.focus();
  }

  private async send(): Promise<void> {
    const a = this.alarm;
    const user = this.user.value.trim();
    if (!a || !user) return;
    this.submit.disabled = true;
    try {
      await this.api.sendNotice(user, {
        title: `Alarm ${a.title || a.alarmId} is yours`,
        content: `${this.me()} assigned ${nameOf(a)} to you`,
        level: a.level,
        data: { kind: "assign", alarmId: a.alarmId, businessType: a.businessType, businessId: a.businessId },
        businessType: a.businessType,
        businessId: a.businessId,
      });
      this.node.close();
      this.user.value = "";
      this.onSent(a, user);
    } catch (err) {
      this.error.textContent = `Could not assign it: ${(err as Error).message}`;
      this.error.hidden = false;
      this.submit.disabled = false;
    }
  }
}
