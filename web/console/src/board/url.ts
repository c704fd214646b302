// The board's view and filters live in the page's query string (board.level=critical,
// board.group=business, board.view=cleared, ...), so that a link shares the view. Only the
// board.* parameters are the board's: others (and the #view hash) are left as they are.

const PREFIX = "board.";

export function readParams(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(location.search)) if (k.startsWith(PREFIX)) out[k.slice(PREFIX.length)] = v;
  return out;
}

export function writeParams(values: Record<string, string>): void {
  const params = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(values)) {
    if (v) params.set(PREFIX + k, v);
    else params.delete(PREFIX + k);
  }
  const search = params.toString();
  const url = `${location.pathname}${search ? `?${search}` : ""}${location.hash}`;
  if (url !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(history.state, "", url);
}
