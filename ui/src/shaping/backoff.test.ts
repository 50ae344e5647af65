import { describe, expect, it } from 'vitest';
import { backoffDelay, backoffSchedule, secondsUntil } from './backoff';

describe('backoff', () => {
  it('starts at 0.5 s and doubles up to 10 s', () => {
    expect(backoffSchedule(8)).toEqual([500, 1000, 2000, 4000, 8000, 10000, 10000, 10000]);
  });
  it('never overflows for long outages', () => {
    expect(backoffDelay(10_000)).toBe(10_000);
  });
  it('treats bad attempts as the first', () => {
    expect(backoffDelay(-1)).toBe(500);
    expect(backoffDelay(Number.NaN)).toBe(500);
  });
  it('counts seconds left rounding up, never negative', () => {
    expect(secondsUntil(10_500, 10_000)).toBe(1);
    expect(secondsUntil(12_001, 10_000)).toBe(3);
    expect(secondsUntil(9_000, 10_000)).toBe(0);
  });
});
