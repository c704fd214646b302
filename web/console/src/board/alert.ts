import type { Alarm } from "@pulse/client";

// Calls attention to a new critical alarm: a short beep made with WebAudio (no sound file) and
// a browser notification. Each can be muted; the choice is remembered in localStorage.

const SOUND_KEY = "pulse.sound";
const NOTIFY_KEY = "pulse.notify";

export class Alerter {
  sound = localStorage.getItem(SOUND_KEY) !== "off";
  notify = localStorage.getItem(NOTIFY_KEY) === "on";
  // How many alerts were given: tests read it from the board's data-alerts attribute.
  given = 0;
  private audio: AudioContext | undefined;

  setSound(on: boolean): void {
    this.sound = on;
    localStorage.setItem(SOUND_KEY, on ? "on" : "off");
    if (on) this.unlock();
  }

  // Turning notifications on asks the browser's permission (it must happen in a click).
  async setNotify(on: boolean): Promise<boolean> {
    if (on && typeof Notification !== "undefined" && Notification.permission === "default") {
      await Notification.requestPermission();
    }
    this.notify = on && typeof Notification !== "undefined" && Notification.permission === "granted";
    localStorage.setItem(NOTIFY_KEY, this.notify ? "on" : "off");
    return this.notify;
  }

  // Browsers start audio only after a user gesture: the board calls this on the first click.
  unlock(): void {
    if (!this.sound) return;
    this.audio ??= new AudioContext();
    if (this.audio.state === "suspended") void this.audio.resume();
  }

  critical(alarm: Alarm): void {
    this.given++;
    if (this.sound) this.beep();
    if (this.notify && typeof Notification !== "undefined" && Notification.permission === "granted") {
      new Notification(`Critical: ${alarm.title || alarm.alarmId}`, {
        body: `${alarm.businessType}/${alarm.businessId}\n${alarm.content}`,
        tag: alarm.alarmId, // one notification per alarm, replaced rather than stacked
      });
    }
  }

  // Two short tones; silent where audio has not been unlocked yet.
  private beep(): void {
    const ctx = this.audio;
    if (!ctx || ctx.state !== "running") return;
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
