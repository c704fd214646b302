import type { Alarm } from "@pulse/client";

// CSV export of what a view shows (RFC 4180: comma-separated, CRLF line ends, a field with a
// comma, a quote or a line break in double quotes, a quote doubled).

const COLUMNS: [string, (a: Alarm) => string | number][] = [
  ["businessType", (a) => a.businessType],
  ["businessId", (a) => a.businessId],
  ["alarmId", (a) => a.alarmId],
  ["level", (a) => a.level],
  ["status", (a) => a.status],
  ["title", (a) => a.title],
  ["content", (a) => a.content],
  ["count", (a) => a.count],
  ["firstTime", (a) => iso(a.firstTime)],
  ["lastTime", (a) => iso(a.lastTime)],
  ["ackedBy", (a) => a.ackedBy],
  ["ackTime", (a) => iso(a.ackTime)],
];

const iso = (ms: number) => (ms ? new Date(ms).toISOString() : "");

export function csvField(v: string | number): string {
  const s = String(v ?? "");
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(alarms: Alarm[]): string {
  const lines = [COLUMNS.map(([h]) => h).join(",")];
  for (const a of alarms) lines.push(COLUMNS.map(([, get]) => csvField(get(a))).join(","));
  return lines.join("\r\n") + "\r\n";
}

// download saves text as a file through a temporary link.
export function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
