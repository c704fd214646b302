// Back-off before reconnect attempt n (1, 2, ...): exponential with full jitter, a random wait
// between 0 and min(maxMs, initialMs * 2^(n-1)), so that clients do not all come back at the same
// instant after a restart.
export interface Backoff {
  initialMs: number;
  maxMs: number;
}

export function resolveBackoff(o?: { initialMs?: number; maxMs?: number }): Backoff {
  const initialMs = o?.initialMs ?? 500;
  const maxMs = o?.maxMs ?? 30_000;
  if (!(initialMs > 0) || !(maxMs >= initialMs)) {
    throw new RangeError(`backoff: need 0 < initialMs <= maxMs, got initialMs ${initialMs}, maxMs ${maxMs}`);
  }
  return { initialMs, maxMs };
}

export function backoffDelay(b: Backoff, attempt: number): number {
  const ceiling = Math.min(b.maxMs, b.initialMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(Math.random() * ceiling);
}
