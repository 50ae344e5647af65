import { describe, expect, it } from 'vitest';
import type { Xray } from '../api/types';
import { visibleTo, xrayColumns } from './xray';

const x: Xray = {
  topic: 'payments.confirmed',
  partition: 0,
  low: 0,
  high: 8,
  lso: 6,
  records: [
    { offset: 5, key: 'o-2', timestamp: 1, committed: false, state: 'aborted' },
    { offset: 3, key: 'o-1', timestamp: 1, committed: true, state: 'committed' },
    { offset: 6, key: 'o-3', timestamp: 1, committed: false, state: 'open' },
    { offset: 7, key: 'o-3', timestamp: 1, committed: false, state: 'open' },
  ],
  markers: [4],
};

describe('x-ray', () => {
  it('lists records and markers ascending, aligned in both columns', () => {
    const cols = xrayColumns(x);
    expect(cols.committed.map((c) => [c.offset, c.state])).toEqual([
      [3, 'committed'],
      [4, 'marker'],
      [5, 'aborted'],
      [6, 'open'],
      [7, 'open'],
    ]);
    expect(cols.uncommitted.map((c) => c.offset)).toEqual([3, 4, 5, 6, 7]);
    expect(cols.counts).toEqual({ committed: 1, aborted: 1, open: 2, marker: 1 });
  });
  it('read_committed returns only committed records; read_uncommitted everything but markers', () => {
    const cols = xrayColumns(x);
    expect(cols.committed.filter((c) => c.visible).map((c) => c.offset)).toEqual([3]);
    expect(cols.uncommitted.filter((c) => c.visible).map((c) => c.offset)).toEqual([3, 5, 6, 7]);
    expect(visibleTo('marker', 'read_uncommitted')).toBe(false);
  });
  it('falls back to the committed flag for an unknown state', () => {
    const odd = { ...x, records: [{ offset: 1, key: null, timestamp: 1, committed: true, state: 'weird' as never }], markers: [] };
    expect(xrayColumns(odd).committed[0]!.state).toBe('committed');
  });
});
