// Times and values as the charts write them: a 24-hour clock in the browser's locale (no am/pm,
// whatever the locale's habit), numbers with the locale's separators and a sensible precision.

const clockWithSeconds = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
const clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
const number = new Intl.NumberFormat(undefined, { maximumSignificantDigits: 6 });

// "14:03:09" (seconds) or "14:03" for unix ms.
export function formatClock(ms: number, seconds: boolean): string {
  if (!Number.isFinite(ms)) return "";
  return (seconds ? clockWithSeconds : clock).format(ms);
}

export function formatValue(v: number): string {
  return Number.isFinite(v) ? number.format(v) : "";
}
