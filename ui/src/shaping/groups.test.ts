import { describe, expect, it } from 'vitest';
import { cluster } from '../test/fixtures';
import { groupTotals, lagRows, ownerOf, sortRebalances, txnBar } from './groups';

const c = cluster({
  groups: [
    {
      group: 'payment',
      state: 'STABLE',
      members: [{ member: 'payment-0', partitions: ['orders.new[0]'] }, { member: 'payment-1', partitions: ['orders.new[1]'] }],
      partitions: [
        { topic: 'orders.new', partition: 0, committed: 10, lag: 0, lag_seconds: 0 },
        { topic: 'orders.new', partition: 1, committed: 5, lag: 7, lag_seconds: 3.5 },
      ],
    },
    {
      group: 'orchestrator',
      state: 'PREPARING_REBALANCE',
      members: [],
      partitions: [{ topic: 'orders.new', partition: 0, committed: 2, lag: 8, lag_seconds: 9 }],
    },
  ],
});

describe('groups', () => {
  it('makes one row per group-partition, biggest lag first, with owner', () => {
    const rows = lagRows(c);
    expect(rows.map((r) => [r.group, r.partition, r.lag, r.owner])).toEqual([
      ['orchestrator', 0, 8, null],
      ['payment', 1, 7, 'payment-1'],
      ['payment', 0, 0, 'payment-0'],
    ]);
    expect(rows[1]!.lagSeconds).toBe(3.5);
  });
  it('can hide partitions without lag', () => {
    expect(lagRows(c, true)).toHaveLength(2);
    expect(lagRows(null)).toEqual([]);
  });
  it('finds the owner', () => {
    expect(ownerOf(c.groups[0]!, 'orders.new', 1)).toBe('payment-1');
    expect(ownerOf(c.groups[0]!, 'orders.new', 5)).toBeNull();
  });
  it('sums lag and takes the worst lag_seconds per group', () => {
    expect(groupTotals(c)).toEqual({ lag: { payment: 7, orchestrator: 8 }, lag_seconds: { payment: 3.5, orchestrator: 9 } });
  });
  it('splits committed vs aborted transactions', () => {
    expect(txnBar({ committed: 3, aborted: 1 })).toEqual({ committedPct: 75, abortedPct: 25, abortRate: 0.25 });
    expect(txnBar({ committed: 0, aborted: 0 }).abortRate).toBeNull();
  });
  it('sorts rebalances newest first', () => {
    expect(sortRebalances([{ at: 1 }, { at: 3 }, { at: 2 }]).map((r) => r.at)).toEqual([3, 2, 1]);
  });
});
