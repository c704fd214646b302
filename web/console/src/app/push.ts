// "Notify this device": the console as an installed app receives alarms by Web Push while no
// console is open. The switch subscribes this browser with the server's VAPID key
// (GET /api/v1/devices/vapid) and registers the subscription as a device (POST /api/v1/devices,
// platform webpush); off, it removes the device and unsubscribes. The service worker (/sw.js)
// shows what is pushed.
import { el } from "../dom";
import type { Session } from "../session";

const DEVICE_KEY = "pulse.pushDevice"; // the registered device's id, to remove it when switched off

type Answer = { code: number; message: string; data: Record<string, unknown> };

export class PushSwitch {
  readonly node = el("label", { class: "push-switch", "data-testid": "push", title: "Receive alarms on this device while Pulse is not open (Web Push)" });
  private box = el("input", { type: "checkbox", "data-testid": "push-switch" });
  private note = el("span", { class: "muted", "data-testid": "push-note", role: "status" });
  private busy = false;

  constructor(private session: Session) {
    this.node.append(this.box, " Notify this device ", this.note);
    this.box.addEventListener("change", () => void this.flip(this.box.checked));
    if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
      this.box.disabled = true;
      this.say("this browser cannot receive pushes", "unsupported");
      return;
    }
    void this.restore();
  }

  // On start: the switch shows whether this browser is subscribed, and a subscribed browser
  // registers again, which keeps its device from expiring (notify.deviceTTL).
  private async restore(): Promise<void> {
    const reg = await navigator.serviceWorker.ready;
    const sub = await reg.pushManager.getSubscription();
    const on = !!sub && !!localStorage.getItem(DEVICE_KEY) && Notification.permission === "granted";
    this.box.checked = on;
    this.node.dataset.state = on ? "on" : "off";
    if (on) await this.register(sub!).catch((err: Error) => this.say(err.message, "error"));
  }

  private async flip(on: boolean): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.box.disabled = true;
    try {
      if (on) await this.subscribe();
      else await this.unsubscribe();
      this.say(on ? "on" : "", on ? "on" : "off");
    } catch (err) {
      this.box.checked = !on;
      this.say((err as Error).message, "error");
    } finally {
      this.busy = false;
      this.box.disabled = false;
    }
  }

  private async subscribe(): Promise<void> {
    if ((await Notification.requestPermission()) !== "granted") throw new Error("notifications are blocked for this site");
    const { publicKey } = (await this.call("GET", "/api/v1/devices/vapid")) as { publicKey: string };
    const reg = await navigator.serviceWorker.ready;
    const sub =
      (await reg.pushManager.getSubscription()) ??
      (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: fromBase64Url(publicKey) }));
    await this.register(sub);
  }

  private async register(sub: PushSubscription): Promise<void> {
    const { id } = (await this.call("POST", "/api/v1/devices", { platform: "webpush", subscription: sub.toJSON() })) as { id: string };
    localStorage.setItem(DEVICE_KEY, id);
  }

  private async unsubscribe(): Promise<void> {
    const id = localStorage.getItem(DEVICE_KEY);
    if (id) {
      await this.call("DELETE", `/api/v1/devices/${encodeURIComponent(id)}`).catch((err: Error & { status?: number }) => {
        if (err.status !== 404) throw err; // already gone (expired, or removed by the push service)
      });
      localStorage.removeItem(DEVICE_KEY);
    }
    const reg = await navigator.serviceWorker.ready;
    await (await reg.pushManager.getSubscription())?.unsubscribe();
  }

  private async call(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const headers: Record<string, string> = {};
    if (this.session.token) headers.Authorization = `Bearer ${this.session.token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const answer = (await res.json().catch(() => ({}))) as Partial<Answer>;
    if (!res.ok || answer.code !== 0) {
      const err = new Error(answer.message || `${method} ${path}: ${res.status}`) as Error & { status?: number };
      err.status = res.status;
      throw err;
    }
    return answer.data ?? {};
  }

  private say(text: string, state: string): void {
    this.note.textContent = text && state !== "on" ? `(${text})` : "";
    this.node.dataset.state = state;
  }
}

// The VAPID key in base64url is the applicationServerKey's bytes.
function fromBase64Url(s: string): Uint8Array<ArrayBuffer> {
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4);
  const raw = atob(b64);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}
