import { describe, expect, it } from 'vitest';
import type { RetryHop } from '../api/types';
import { span, tl } from '../test/fixtures';
import { FAULT_LANE, orderStory, orderWindow } from './story';

const T0 = 1_800_000_000_000;

function hop(patch: Partial<RetryHop> = {}): RetryHop {
  return {
    topic: 'payments.retry.5s',
    partition: 3,
    offset: 17,
    order_id: 'o-1',
    timestamp: T0 + 3_000,
    stage: 'retry',
    delay_s: 5,
    due_ms: T0 + 8_000,
    attempt: 1,
    error_class: 'OperationalError',
    error: 'connection refused',
    origin: { topic: 'orders.new', partition: 3, offset: 1200 },
    processor: 'payment',
    ...patch,
  };
}

const at = (ms: number) => ({ occurred_at: T0 + ms, timestamp: T0 + ms });

describe('order story', () => {
  const events = [
    tl({ event_type: 'OrderPlaced', lane: 'gateway', ...at(0) }),
    tl({ event_type: 'PaymentConfirmed', lane: 'payment', ...at(9_000) }),
    tl({ event_type: 'OrderConfirmed', lane: 'orchestrator', ...at(12_000) }),
  ];

  it('without faults or retries it is the plain timeline: five service lanes, one column per event', () => {
    const story = orderStory(events, [], []);
    expect(story.faultRows).toBe(0);
    expect(story.rows).toEqual(['gateway', 'payment', 'inventory', 'orchestrator', 'notification']);
    expect(story.cells.map((c) => [c.row, c.column])).toEqual([[0, 0], [1, 1], [3, 2]]);
  });

  it('places a fault and a retry in time; the fault stretches over what happened while it lasted', () => {
    const frozen = span({ start_ms: T0 + 1_000, end_ms: T0 + 10_000 });
    const story = orderStory(events, [hop()], [frozen]);
    expect(story.rows[0]).toBe(FAULT_LANE);
    const byKind = Object.fromEntries(story.cells.map((c) => [c.item.kind === 'event' ? c.item.event.event_type : c.item.kind, c]));
    // columns: OrderPlaced 0, fault 1, retry 2, PaymentConfirmed 3, OrderConfirmed 4
    expect([byKind.fault!.column, byKind.fault!.span, byKind.fault!.row]).toEqual([1, 3, 0]);
    expect([byKind.retry!.column, story.rows[byKind.retry!.row]]).toEqual([2, 'payment']);
    expect(byKind.OrderConfirmed!.column).toBe(4);
    expect(story.columns).toBe(5);
  });

  it('an open fault lasts to the end; overlapping faults take separate rows', () => {
    const story = orderStory(events, [], [span({ fault_id: 1, start_ms: T0 + 500, end_ms: null }), span({ fault_id: 2, start_ms: T0 + 600, end_ms: T0 + 700 })]);
    const faults = story.cells.filter((c) => c.item.kind === 'fault');
    expect(faults.map((c) => [c.row, c.column, c.span])).toEqual([[0, 1, 4], [1, 2, 1]]);
    expect(story.rows.slice(0, 2)).toEqual([FAULT_LANE, '']);
    expect(story.faultRows).toBe(2);
  });

  it('asks for the faults of the order life: until its last event once settled, until now before', () => {
    expect(orderWindow(events, true)).toEqual({ since_ms: T0, until_ms: T0 + 12_000 });
    expect(orderWindow(events, false)).toEqual({ since_ms: T0 });
    expect(orderWindow([], true)).toBeNull();
  });
});
