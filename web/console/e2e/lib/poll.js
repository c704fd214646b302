// Waiting for a condition instead of sleeping: until polls fn until it returns a truthy value
// (which it returns) or the generous deadline passes (then it fails naming what it waited for).
export async function until(fn, what, { timeoutMs = 60_000, everyMs = 100 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (err) {
      last = err;
      if (err?.fatal) throw err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for: ${what}${last ? ` (last error: ${last.message})` : ""}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
