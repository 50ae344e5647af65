// Reconnect schedule: 0.5 s doubling up to 10 s; the attempt counter resets on a successful connection.

export const BACKOFF_BASE_MS = 500;
export const BACKOFF_MAX_MS = 10_000;

/** Delay before reconnect attempt number `attempt` (0 = first retry after a drop). */
export function backoffDelay(attempt: number, base = BACKOFF_BASE_MS, max = BACKOFF_MAX_MS): number {
  if (!Number.isFinite(attempt) || attempt < 0) return base;
  // Cap the exponent so 2 ** n never overflows for long outages.
  const exp = Math.min(Math.floor(attempt), 30);
  return Math.min(base * 2 ** exp, max);
}

/** The first `n` delays, e.g. for documentation and tests: 500, 1000, 2000, 4000, 8000, 10000, ... */
export function backoffSchedule(n: number, base = BACKOFF_BASE_MS, max = BACKOFF_MAX_MS): number[] {
  return Array.from({ length: Math.max(0, n) }, (_, i) => backoffDelay(i, base, max));
}

/** Whole seconds left until `retryAt` (rounded up, never negative), for the banner countdown. */
export function secondsUntil(retryAt: number, now: number): number {
  return Math.max(0, Math.ceil((retryAt - now) / 1000));
}
