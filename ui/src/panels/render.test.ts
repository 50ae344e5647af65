// Smoke test: the panels render (server-side, no DOM) with API.md-shaped data and expose the test hooks.
import { createElement, type ReactElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Xray } from '../api/types';
import { Header } from '../components/Header';
import { TimelineView } from '../components/TimelineView';
import { XrayColumn } from '../components/XrayView';
import { emptyBuffer, receive } from '../shaping/eventBuffer';
import { emptyFaults } from '../shaping/faults';
import { xrayColumns } from '../shaping/xray';
import { Emitter } from '../state/emitter';
import type { Dashboard } from '../state/useDashboard';
import { cluster, ev, tl } from '../test/fixtures';
import { ControlsPanel } from './ControlsPanel';
import { FlowPanel } from './FlowPanel';
import { IndicatorsPanel } from './IndicatorsPanel';
import { KafkaPanel } from './KafkaPanel';

const count = (html: string, needle: string) => html.split(needle).length - 1;
const render = (el: ReactElement) => renderToStaticMarkup(el);

function dash(): Dashboard {
  return {
    status: { state: 'open', attempt: 0, retryAt: null, everOpened: true },
    dropped: 2,
    droppedTotal: 9,
    stats: { type: 'stats', at: 1, rates: { 'orders.new': 2.5 }, clients: 1, dropped_total: 9 },
    cluster: cluster(),
    lagHistory: [{ at: 1, lag: { payment: 3 }, lag_seconds: { payment: 1 } }],
    indicators: {
      at: 1,
      window_s: 300,
      orders_per_min: 12,
      success_rate: 0.93,
      payment_approval_rate: 0.95,
      stock_failures: 3,
      dlq_per_min: 0,
      stages: { payment: { p50: 120, p95: 300, p99: 450 } },
      series: [{ at: 1, placed: 1, confirmed: 1, cancelled: 0, dead_lettered: 0 }],
    },
    kpiHistory: [],
    faults: emptyFaults(),
    buffer: receive(emptyBuffer(), [ev({ order_id: 'order-abc' }), ev()]).buffer,
    incoming: new Emitter(),
    released: new Emitter(),
    pause: () => undefined,
    resume: () => undefined,
    step: () => undefined,
  };
}

describe('panels render', () => {
  it('header shows the dropped counter and connection state, no banner while open', () => {
    const html = render(createElement(Header, { status: dash().status, dropped: 2, droppedTotal: 9 }));
    expect(html).toContain('Pedidos com Kafka');
    expect(html).toContain('descartados por lentidão: 2');
    expect(html).toContain('gateway: 9');
    expect(html).not.toContain('disconnected-banner');
  });
  it('header shows the red banner while disconnected', () => {
    const status = { state: 'closed' as const, attempt: 2, retryAt: Date.now() + 2000, everOpened: true };
    const html = render(createElement(Header, { status, dropped: 0, droppedTotal: 0 }));
    expect(html).toContain('data-testid="disconnected-banner"');
    expect(html).toMatch(/reconectando em \ds/);
  });
  it('flow: diagram, controls and the live list', () => {
    const html = render(createElement(FlowPanel, { dash: dash() }));
    expect(html).toContain('<svg');
    expect(html).toContain('2,5/s · 2');
    expect(count(html, 'data-testid="live-event"')).toBe(2);
    expect(html).toContain('O que estou vendo?');
  });
  it('kafka inside: strips, lag rows, processors', () => {
    const html = render(createElement(KafkaPanel, { dash: dash() }));
    expect(count(html, 'data-testid="partition-strip"')).toBe(1);
    expect(count(html, 'data-testid="lag-row"')).toBe(1);
    expect(count(html, 'data-testid="processor-row"')).toBe(1);
    expect(html).toContain('membership changed');
  });
  it('x-ray cells carry data-state', () => {
    const x: Xray = {
      topic: 't', partition: 0, low: 0, high: 3, lso: 2,
      records: [
        { offset: 0, key: 'k', timestamp: 1, committed: true, state: 'committed' },
        { offset: 2, key: 'k', timestamp: 1, committed: false, state: 'open' },
      ],
      markers: [1],
    };
    const html = render(createElement(XrayColumn, { title: 'rc', cells: xrayColumns(x).committed, hidden: 'h' }));
    expect(count(html, 'data-testid="xray-cell"')).toBe(3);
    expect(html).toContain('data-state="marker"');
    expect(html).toContain('data-state="open"');
  });
  it('order timeline: status and one card per event with its type', () => {
    const detail = {
      order: { order_id: 'o-1', customer_id: 'c-1', status: 'confirmed', total_amount: '10.00', created_at: 1, updated_at: 2 },
      timeline: [
        tl({ event_type: 'OrderPlaced', payload: { items: [{}, {}], total_amount: '10.00' } }),
        tl({ lane: 'payment', event_type: 'PaymentConfirmed', broker_ms: 5, service_ms: 2, step_ms: 7 }),
      ],
    };
    const html = render(createElement(TimelineView, { detail }));
    expect(html).toContain('data-testid="order-status"');
    expect(html).toContain('data-event-type="PaymentConfirmed"');
    expect(count(html, 'data-testid="timeline-event"')).toBe(2);
    expect(html).toContain('Pedido recebido no checkout: 2 item(ns), total R$ 10.00.');
    expect(html).toContain('Pagamento aprovado em 7 ms.');
  });
  it('indicators and controls render with their hooks', () => {
    expect(render(createElement(IndicatorsPanel, { dash: dash() }))).toContain('93%');
    const controls = render(createElement(ControlsPanel));
    for (const id of ['checkout-customer', 'checkout-product-0', 'checkout-quantity-0', 'checkout-submit']) {
      expect(controls).toContain(`data-testid="${id}"`);
    }
  });
});
