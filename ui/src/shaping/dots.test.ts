import { describe, expect, it } from 'vitest';
import { ev } from '../test/fixtures';
import { advanceDots, durationFor, spawnDots } from './dots';

describe('dots', () => {
  it('spawns one dot per event with a known edge', () => {
    const r = spawnDots([], [ev(), ev({ topic: 'orders.dlq' })], 0, 1);
    expect(r.dots).toHaveLength(1);
    expect(r.nextId).toBe(2);
  });
  it('keeps at most max dots, dropping the oldest', () => {
    const r = spawnDots([], [ev(), ev(), ev()], 0, 1, 2);
    expect(r.dots.map((d) => d.id)).toEqual([2, 3]);
  });
  it('speed scales the trip duration', () => {
    expect(durationFor(1)).toBe(1200);
    expect(durationFor(4)).toBe(300);
    expect(durationFor(0.25)).toBe(4800);
    expect(durationFor(0)).toBe(1200);
  });
  it('moves dots and removes finished ones', () => {
    const { dots } = spawnDots([], [ev()], 0, 1);
    expect(advanceDots(dots, 600, 1200).positions).toHaveLength(1);
    expect(advanceDots(dots, 1300, 1200).alive).toHaveLength(0);
  });
  it('staggers a batch: later dots wait before showing', () => {
    const { dots } = spawnDots([], [ev(), ev()], 0, 1);
    const r = advanceDots(dots, 10, 1200);
    expect(r.alive).toHaveLength(2);
    expect(r.positions).toHaveLength(1);
  });
});
