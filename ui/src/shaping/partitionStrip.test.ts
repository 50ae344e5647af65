import { describe, expect, it } from 'vitest';
import { cluster } from '../test/fixtures';
import { commitsFor, hasOpenTransaction, sortTopics, stripGeometry } from './partitionStrip';

describe('partition strip', () => {
  it('maps low..high onto the width and places LSO and commits', () => {
    const g = stripGeometry({ partition: 0, low: 100, high: 200, lso: 150 }, [{ group: 'a', committed: 125, lag: 25 }], 212, 6);
    expect(g.lowX).toBe(6);
    expect(g.highX).toBe(206);
    expect(g.lsoX).toBe(106);
    expect(g.openWidth).toBe(100);
    expect(g.markers[0]).toMatchObject({ group: 'a', x: 56 });
    expect(g.empty).toBe(false);
  });
  it('clamps committed offsets outside the kept range', () => {
    const g = stripGeometry({ partition: 0, low: 100, high: 200, lso: 200 }, [{ group: 'old', committed: 3, lag: 197 }], 212, 6);
    expect(g.markers[0]!.x).toBe(6);
    expect(g.openWidth).toBe(0);
  });
  it('handles an empty partition', () => {
    const g = stripGeometry({ partition: 0, low: 0, high: 0, lso: 0 }, [], 100);
    expect(g.empty).toBe(true);
    expect(Number.isFinite(g.highX)).toBe(true);
  });
  it('finds every group commit of a topic-partition', () => {
    expect(commitsFor(cluster(), 'orders.new', 0)).toEqual([{ group: 'payment', committed: 812, lag: 0 }]);
    expect(commitsFor(cluster(), 'orders.new', 1)).toEqual([]);
  });
  it('sorts flow topics first', () => {
    const names = sortTopics([{ name: 'zeta' }, { name: 'b' }, { name: 'a' }, { name: 'alpha' }], ['b', 'a']).map((t) => t.name);
    expect(names).toEqual(['b', 'a', 'alpha', 'zeta']);
  });
  it('flags open transactions', () => {
    expect(hasOpenTransaction({ partition: 0, low: 0, high: 10, lso: 8 })).toBe(true);
    expect(hasOpenTransaction({ partition: 0, low: 0, high: 10, lso: 10 })).toBe(false);
  });
});
