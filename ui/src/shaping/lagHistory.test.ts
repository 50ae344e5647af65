import { describe, expect, it } from 'vitest';
import { cluster } from '../test/fixtures';
import { historyGroups, lagChartRows, mergeLagHistory, pointFromCluster } from './lagHistory';

const p = (at: number, lag: Record<string, number>, s: Record<string, number> = {}) => ({ at, lag, lag_seconds: s });

describe('lag history', () => {
  it('turns a cluster message into a point', () => {
    expect(pointFromCluster(cluster())).toEqual(p(10_000, { payment: 0 }, { payment: 0 }));
  });
  it('merges by time, newer copy wins, sorted', () => {
    const merged = mergeLagHistory([p(1, { a: 1 }), p(3, { a: 3 })], [p(2, { a: 2 }), p(3, { a: 30 })]);
    expect(merged.map((x) => [x.at, x.lag.a])).toEqual([
      [1, 1],
      [2, 2],
      [3, 30],
    ]);
  });
  it('keeps only the last window', () => {
    const merged = mergeLagHistory([p(0, {}), p(5_000, {}), p(10_000, {})], [], 5_000);
    expect(merged.map((x) => x.at)).toEqual([5_000, 10_000]);
    expect(mergeLagHistory([], [])).toEqual([]);
  });
  it('makes chart rows per unit and lists groups', () => {
    const pts = [p(1, { a: 1 }, { a: 0.5 }), p(2, { b: 4 }, { b: 2 })];
    expect(historyGroups(pts)).toEqual(['a', 'b']);
    expect(lagChartRows(pts, 'messages')).toEqual([{ at: 1, a: 1 }, { at: 2, b: 4 }]);
    expect(lagChartRows(pts, 'seconds')).toEqual([{ at: 1, a: 0.5 }, { at: 2, b: 2 }]);
  });
});
