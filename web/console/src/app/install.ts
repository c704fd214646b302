// The console as an installable app: its service worker (/sw.js, scope "/") shows pushed alarms;
// a tap on one opens the board on that alarm, in this window when one is open (the worker posts
// {type: "pulse.show-alarm", alarm: <board key>}) or in a new one (?board.alarm=<board key>#alarms).
export function registerServiceWorker(show: (alarmKey: string) => void): void {
  const fromURL = new URLSearchParams(location.search).get("board.alarm");
  if (fromURL) {
    const url = new URL(location.href);
    url.searchParams.delete("board.alarm");
    history.replaceState(history.state, "", url);
    show(fromURL);
  }
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.addEventListener("message", (ev: MessageEvent) => {
    const m = ev.data as { type?: string; alarm?: string };
    if (m?.type !== "pulse.show-alarm") return;
    if (location.hash !== "#alarms" && location.hash !== "#both") location.hash = "alarms";
    if (m.alarm) show(m.alarm);
  });
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch((err: Error) => console.warn("service worker:", err.message));
}
