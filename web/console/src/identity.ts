import { el, formatTime } from "./dom";
import type { Session } from "./session";

// The header's identity controls: the name used when auth is off, and the token field (with
// auth on). The token is shown as a password field and kept in localStorage, shared by the
// console's tabs.
export class IdentityBar {
  readonly node = el("form", { class: "identity", autocomplete: "off" });
  private name = el("input", { "aria-label": "Your name", placeholder: "your name", "data-testid": "name", size: 10 });
  private token = el("input", { type: "password", "aria-label": "Token", placeholder: "token (JWT)", "data-testid": "token", size: 14 });
  private forget = el("button", { type: "button", "data-testid": "forget-token" }, "Forget");
  private info = el("span", { class: "muted", "data-testid": "auth-info" });

  constructor(private session: Session) {
    const use = el("button", { type: "submit", "data-testid": "use-token" }, "Use");
    this.node.append(this.name, this.token, use, this.forget, this.info);
    this.name.value = session.name;
    this.name.addEventListener("change", () => session.setName(this.name.value));
    this.node.addEventListener("submit", (ev) => {
      ev.preventDefault();
      session.setToken(this.token.value);
      this.token.value = "";
    });
    this.forget.addEventListener("click", () => session.setToken(""));
    this.refresh();
  }

  refresh(): void {
    const s = this.session;
    const sub = s.claims.sub;
    // With a token the name is the token's sub: the server accepts no other.
    this.name.disabled = !!sub;
    this.name.value = sub || s.name;
    this.forget.hidden = !s.token;
    this.token.placeholder = s.token ? "token set (paste to replace)" : "token (JWT)";
    this.node.dataset.auth = s.authOn ? "on" : "off";
    let info: string;
    if (!s.authOn) info = s.token ? "auth off (token not needed)" : "";
    else if (!s.token) info = "auth on: paste a token";
    else if (s.expired) info = `${sub ?? "?"} (token expired)`;
    else info = `${sub ?? "?"}${s.canAck ? "" : " (read only)"}${s.expiresAt ? ` · until ${formatTime(s.expiresAt)}` : ""}`;
    this.info.textContent = info;
  }
}
