import { describe, expect, it } from 'vitest';
import { tl } from '../test/fixtures';
import { isSettled, LANE_ORDER, latencyBar, latencyScale, sortTimeline, timelineGrid } from './timeline';

describe('timeline', () => {
  const placed = tl({ lane: 'gateway', event_type: 'OrderPlaced', occurred_at: 100 });
  const paid = tl({ lane: 'payment', event_type: 'PaymentConfirmed', occurred_at: 200, broker_ms: 30, service_ms: 10 });
  const requested = tl({ lane: 'payment', event_type: 'PaymentRequested', occurred_at: 150, broker_ms: 20, service_ms: 5 });

  it('sorts chronologically', () => {
    expect(sortTimeline([paid, placed, requested]).map((e) => e.event_type)).toEqual([
      'OrderPlaced',
      'PaymentRequested',
      'PaymentConfirmed',
    ]);
  });
  it('puts each event in its lane and its own column', () => {
    const g = timelineGrid([paid, placed, requested]);
    expect(g.lanes.slice(0, 5)).toEqual(LANE_ORDER);
    expect(g.columns).toBe(3);
    expect(g.cells.map((c) => [c.event.event_type, g.lanes[c.lane], c.column])).toEqual([
      ['OrderPlaced', 'gateway', 0],
      ['PaymentRequested', 'payment', 1],
      ['PaymentConfirmed', 'payment', 2],
    ]);
  });
  it('adds unknown lanes after the five services', () => {
    const g = timelineGrid([tl({ lane: 'shipping' })]);
    expect(g.lanes).toEqual([...LANE_ORDER, 'shipping']);
    expect(g.cells[0]!.lane).toBe(5);
  });
  it('scales the broker/service bar to the largest total', () => {
    const scale = latencyScale([placed, paid, requested]);
    expect(scale).toBe(40);
    expect(latencyBar(paid, scale)).toEqual({ brokerPct: 75, servicePct: 25, totalMs: 40 });
    expect(latencyBar(requested, scale)).toEqual({ brokerPct: 50, servicePct: 12.5, totalMs: 25 });
    expect(latencyBar(placed, scale).totalMs).toBeNull();
  });
  it('handles a single unknown half', () => {
    expect(latencyBar({ broker_ms: 10, service_ms: null }, 0)).toEqual({ brokerPct: 100, servicePct: 0, totalMs: 10 });
  });
  it('is settled only when terminal and notified', () => {
    const order = (status: string) => ({ status });
    const notified = [{ event_type: 'OrderConfirmed' }, { event_type: 'NotificationSent' }];
    expect(isSettled(null)).toBe(false);
    expect(isSettled({ order: order('paid'), timeline: notified })).toBe(false);
    expect(isSettled({ order: order('confirmed'), timeline: [{ event_type: 'OrderConfirmed' }] })).toBe(false);
    expect(isSettled({ order: order('cancelled'), timeline: notified })).toBe(true);
  });
});
