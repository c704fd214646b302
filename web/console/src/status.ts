import { el, formatTime } from "./dom";
import type { Session } from "./session";

// The banner under the header, on every view: what about the token keeps the console from
// working, or soon will (no token, expired, expiring in m:ss with a countdown). data-status is
// for tests: "", "no-token", "expiring", "expired".
export class SessionBanner {
  readonly node = el("div", { class: "session-banner", role: "status", "data-testid": "session-banner", hidden: true });
  private text = el("span");

  constructor(private session: Session) {
    const renew = el("button", { type: "button", "data-testid": "renew-token" }, "Paste a new token");
    renew.addEventListener("click", () => {
      // On a phone the token field is behind the header's menu button: open it first.
      document.querySelector("header.top")?.classList.add("open");
      (document.querySelector("[data-testid=token]") as HTMLInputElement | null)?.focus();
    });
    this.node.append(this.text, renew);
    setInterval(() => {
      if (this.node.dataset.status === "expiring") this.refresh();
    }, 1000);
    this.refresh();
  }

  refresh(): void {
    const s = this.session;
    let status = "";
    let text = "";
    if (s.authOn && !s.token) {
      status = "no-token";
      text = "Authentication is on: paste a token (JWT) to see the charts and the alarms.";
    } else if (s.authOn && s.expired) {
      status = "expired";
      text = `Your token expired at ${formatTime(s.expiresAt)}: nothing is live and Ack is off until you paste a new one.`;
    } else if (s.authOn && s.expiresSoon) {
      status = "expiring";
      const left = Math.max(0, Math.round((s.expiresAt - Date.now()) / 1000));
      const mmss = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
      text = `Your token expires in ${mmss} (at ${formatTime(s.expiresAt)}): paste a new one to stay connected.`;
    }
    this.node.hidden = !status;
    this.node.dataset.status = status;
    this.node.classList.toggle("expired", status === "expired");
    this.text.textContent = text;
  }
}
