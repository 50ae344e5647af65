import { describe, expect, it } from 'vitest';
import { FLOW_EDGES, FLOW_NODES, FLOW_TOPICS, SERVICES, edgeForEvent, nodeById, pointAlong } from './flowLayout';

describe('flow layout', () => {
  it('draws every service and every order-flow topic once', () => {
    for (const s of SERVICES) expect(nodeById(s)?.kind).toBe('service');
    expect(FLOW_TOPICS).toContain('orders.new');
    expect(FLOW_TOPICS).toContain('notifications.events');
    expect(new Set(FLOW_NODES.map((n) => n.id)).size).toBe(FLOW_NODES.length);
  });
  it('has only edges between known nodes, one producer per topic', () => {
    for (const e of FLOW_EDGES) {
      expect(nodeById(e.from)).toBeDefined();
      expect(nodeById(e.to)).toBeDefined();
    }
    for (const topic of FLOW_TOPICS) {
      expect(FLOW_EDGES.filter((e) => e.kind === 'produce' && e.to === topic)).toHaveLength(1);
    }
  });
  it('follows docs/architecture.md §3: who produces what', () => {
    expect(edgeForEvent('gateway', 'orders.new')?.from).toBe('gateway');
    expect(edgeForEvent('payment', 'payments.refunded')?.from).toBe('payment');
    expect(edgeForEvent('orchestrator', 'orders.cancelled')?.from).toBe('orchestrator');
    expect(edgeForEvent('orchestrator', 'inventory.release-requested')?.from).toBe('orchestrator');
    expect(edgeForEvent('notification', 'notifications.events')?.from).toBe('notification');
  });
  it('falls back to the declared producer, and ignores topics off the diagram', () => {
    expect(edgeForEvent('someone', 'payments.failed')?.from).toBe('payment');
    expect(edgeForEvent('payment', 'payments.dlq')).toBeNull();
  });
  it('interpolates along an edge, clamped', () => {
    const e = edgeForEvent('gateway', 'orders.new')!;
    const a = nodeById('gateway')!;
    const b = nodeById('orders.new')!;
    expect(pointAlong(e, 0)).toEqual({ x: a.x, y: a.y });
    expect(pointAlong(e, 2)).toEqual({ x: b.x, y: b.y });
    expect(pointAlong(e, 0.5).x).toBeCloseTo((a.x + b.x) / 2);
  });
});
