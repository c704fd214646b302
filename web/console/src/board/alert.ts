import type { Alarm } from "@pulse/client";

// Calls attention to critical alarms so that none is missed: a tone made with WebAudio (no sound
// file) and a browser notification. A storm is coalesced: alerts that arrive together make one
// burst (one tone, one notification naming how many), and bursts keep a minimum gap. While
// unacknowledged critical alarms remain, the board asks for a reminder tone every few seconds
// until they are acknowledged or silenced. Sound and notifications can each be turned off; the
// choice is remembered in localStorage.

const SOUND_KEY = "pulse.sound";
const NOTIFY_KEY = "pulse.notify";

// Alerts within this window of the first make one burst.
const COALESCE_MS = 300;
// At least this long between two tones (a storm of 70 criticals is not 70 tones).
const MIN_GAP_MS = 3000;
// A reminder tone this often while unacknowledged, unsilenced criticals remain.
export const REMIND_MS = 5000;

// "on": audio plays; "blocked": the browser holds audio until a click (autoplay policy); "off".
export type SoundState = "on" | "blocked" | "off";

export class Alerter {
  sound = localStorage.getItem(SOUND_KEY) !== "off";
  notify = localStorage.getItem(NOTIFY_KEY) === "on";
  // Counters the board shows as data-* attributes (tests read them): alarms that called for
  // attention, tones played, notifications shown.
  alerts = 0;
  tones = 0;
  notifications = 0;
  // Called when the sound state changes (the board shows or hides "Click to enable sound").
  onChange: () => void = () => {};

  private audio: AudioContext | undefined;
  private queued: Alarm[] = [];
  private burstTimer: ReturnType<typeof setTimeout> | undefined;
  private lastTone = -Infinity;

  constructor() {
    if (this.sound) this.openAudio();
  }

  get soundState(): SoundState {
    if (!this.sound) return "off";
    return this.audio?.state === "running" ? "on" : "blocked";
  }

  setSound(on: boolean): void {
    this.sound = on;
    localStorage.setItem(SOUND_KEY, on ? "on" : "off");
    if (on) this.unlock();
    this.onChange();
  }

  // Turning notifications on asks the browser's permission (it must happen in a click). Returns
  // whether they are on, and "denied" when the browser refuses them.
  async setNotify(on: boolean): Promise<{ on: boolean; denied: boolean }> {
    const supported = typeof Notification !== "undefined";
    if (on && supported && Notification.permission === "default") {
      await Notification.requestPermission();
    }
    this.notify = on && supported && Notification.permission === "granted";
    localStorage.setItem(NOTIFY_KEY, this.notify ? "on" : "off");
    return { on: this.notify, denied: on && (!supported || Notification.permission === "denied") };
  }

  // Browsers start audio only after a user gesture: the board calls this on clicks, and the
  // "Click to enable sound" button is one.
  unlock(): void {
    if (!this.sound) return;
    this.openAudio();
    if (this.audio?.state === "suspended") void this.audio.resume().then(() => this.onChange());
  }

  // The context is made at once, so that the board knows whether the browser blocks audio
  // (it starts "suspended" then) and can say so before the first critical alarm.
  private openAudio(): void {
    if (this.audio || typeof AudioContext === "undefined") return;
    this.audio = new AudioContext();
    this.audio.addEventListener("statechange", () => this.onChange());
  }

  // alert queues one alarm that calls for attention; the burst comes shortly after.
  alert(alarm: Alarm): void {
    this.alerts++;
    this.queued.push(alarm);
    if (this.burstTimer !== undefined) return;
    const wait = Math.max(COALESCE_MS, this.lastTone + MIN_GAP_MS - performance.now());
    this.burstTimer = setTimeout(() => this.burst(), wait);
  }

  // remind sounds again while unacknowledged critical alarms remain (pending > 0), keeping the gap.
  remind(pending: number): void {
    if (pending > 0 && this.burstTimer === undefined && performance.now() - this.lastTone >= MIN_GAP_MS) this.tone();
  }

  private burst(): void {
    this.burstTimer = undefined;
    const alarms = this.queued;
    this.queued = [];
    if (!alarms.length) return;
    this.tone();
    if (this.notify && typeof Notification !== "undefined" && Notification.permission === "granted") {
      const one = alarms.length === 1 ? alarms[0] : undefined;
      new Notification(one ? `Critical: ${one.title || one.alarmId}` : `${alarms.length} critical alarms`, {
        body: one ? `${one.businessType}/${one.businessId}\n${one.content}` : alarms.slice(0, 5).map((a) => a.title || a.alarmId).join("\n"),
        tag: "pulse-critical", // one notification on screen, replaced rather than stacked
      });
      this.notifications++;
    }
  }

  // Two short tones; silent (and not counted) where the browser still blocks audio.
  private tone(): void {
    this.lastTone = performance.now();
    const ctx = this.audio;
    if (!this.sound || !ctx || ctx.state !== "running") return;
    this.tones++;
    const gain = ctx.createGain();
    gain.gain.value = 0.15;
    gain.connect(ctx.destination);
    [0, 0.25].forEach((delay, i) => {
      const osc = ctx.createOscillator();
      osc.type = "square";
      osc.frequency.value = i === 0 ? 880 : 660;
      osc.connect(gain);
      osc.start(ctx.currentTime + delay);
      osc.stop(ctx.currentTime + delay + 0.18);
    });
  }
}
