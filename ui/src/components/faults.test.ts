// The drill banner, the chart markers and the order story render (server-side, no DOM) with API.md data.
import { createElement, type ComponentType, type ReactElement, type ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { Line, LineChart, XAxis, YAxis } from 'recharts';
import { describe, expect, it } from 'vitest';
import type { RetryHop } from '../api/types';
import { translate, type T } from '../i18n';
import { chartMarkers, emptyFaults, mergeFaults, timeDomain } from '../shaping/faults';
import { parseServerMessage } from '../shaping/messages';
import { drill, span, tl } from '../test/fixtures';
import { DrillBanner } from './DrillBanner';
import { faultMarkerElements } from './FaultMarkers';
import { TimelineView } from './TimelineView';

const T0 = 1_800_000_000_000;
const render = (el: ReactElement) => renderToStaticMarkup(el);
const count = (html: string, needle: string) => html.split(needle).length - 1;
const pt: T = (k, v) => translate('pt', k, v);
// Recharts' class components and their defaultProps do not fit createElement's typings (no JSX in .test.ts).
const chartEl = (type: unknown, props: object, ...children: ReactNode[]) =>
  createElement(type as ComponentType<object>, props, ...children);

describe('drill banner', () => {
  it('shows the scenario, the time since it started and each active fault', () => {
    const faults = mergeFaults(emptyFaults(), {
      drills: [drill({ faults: 3 })],
      faults: [span({ start_ms: T0 + 10_000 }), span({ fault_id: 2, kind: 'sigkill', target: 'inventory-0', start_ms: T0 + 5_000, end_ms: T0 + 6_000 }), span({ fault_id: 3, kind: 'db-outage', target: 'postgres', start_ms: T0 + 20_000 })],
    });
    const html = render(createElement(DrillBanner, { faults, now: T0 + 22_000 }));
    expect(html).toContain('data-testid="drill-banner"');
    expect(html).toContain('Drill em andamento: zombie');
    expect(html).toContain('há 22 s');
    expect(html).toContain('3 falha(s) até agora');
    expect(count(html, 'data-testid="drill-fault"')).toBe(2); // the healed SIGKILL is not active
    expect(html).toContain('payment-0 congelado (SIGSTOP) há 12 s');
    expect(html).toContain('PostgreSQL fora do ar há 2 s');
  });
  it('is not there when no drill runs', () => {
    const ended = mergeFaults(emptyFaults(), { drills: [drill({ status: 'ended', ended_ms: T0 + 1 })], faults: [] });
    expect(render(createElement(DrillBanner, { faults: ended, now: T0 }))).toBe('');
    expect(render(createElement(DrillBanner, { faults: emptyFaults(), now: T0 }))).toBe('');
  });
});

describe('chart markers', () => {
  it('draw a labelled line per injection and a shaded span up to the healing, on the chart time axis', () => {
    const rows = [0, 20, 40, 60, 80, 100].map((s) => ({ at: T0 + s * 1000, payment: s }));
    const faults = [span({ start_ms: T0 + 30_000, end_ms: T0 + 50_000 }), span({ fault_id: 2, kind: 'poison', target: 'x', start_ms: T0 + 70_000, end_ms: T0 + 70_000 })];
    const domain = timeDomain(rows);
    const markers = chartMarkers(faults, domain);
    const chart = chartEl(
      LineChart,
      { width: 600, height: 220, data: rows },
      chartEl(XAxis, { dataKey: 'at', type: 'number', domain: ['dataMin', 'dataMax'], scale: 'time' }),
      chartEl(YAxis, {}),
      ...faultMarkerElements(markers, pt, 'pt'),
      chartEl(Line, { dataKey: 'payment', isAnimationActive: false }),
    );
    const html = render(chart);
    expect(count(html, 'recharts-reference-line fault-marker')).toBe(2);
    expect(count(html, 'recharts-reference-area fault-area')).toBe(1); // the poison is an instant: no span
    expect(html).toContain('payment-0 SIGSTOP');
    expect(html).toContain('veneno');
    expect(html).toContain('zombie: payment-0 congelado (SIGSTOP) · ');
  });
});

describe('order story', () => {
  const hop: RetryHop = {
    topic: 'payments.retry.5s', partition: 3, offset: 17, order_id: 'o-1', timestamp: T0 + 3_000, stage: 'retry', delay_s: 5,
    due_ms: T0 + 8_000, attempt: 1, error_class: 'OperationalError', error: 'connection refused',
    origin: { topic: 'orders.new', partition: 3, offset: 1200 }, processor: 'payment',
  };
  it('shows the faults of the order life and its retry hops among its events', () => {
    const detail = {
      order: { order_id: 'o-1', customer_id: 'c-1', status: 'confirmed', total_amount: '10.00', created_at: T0, updated_at: T0 + 9_000 },
      timeline: [tl({ event_type: 'OrderPlaced', occurred_at: T0, timestamp: T0 }), tl({ lane: 'payment', event_type: 'PaymentConfirmed', occurred_at: T0 + 9_000, timestamp: T0 + 9_000 })],
    };
    const html = render(createElement(TimelineView, { detail, retries: [hop, { ...hop, offset: 18, stage: 'dlq' as const, topic: 'payments.dlq', attempt: 3, timestamp: T0 + 8_500, error_class: 'retries-exhausted', due_ms: null }], faults: [span({ start_ms: T0 + 1_000, end_ms: T0 + 7_000, ended_by: 'healed' })] }));
    expect(count(html, 'data-testid="timeline-event"')).toBe(2);
    expect(count(html, 'data-testid="timeline-fault"')).toBe(1);
    expect(count(html, 'data-testid="timeline-retry"')).toBe(2);
    expect(html).toContain('Retentativa 1 → payments.retry.5s');
    expect(html).toContain('Para a DLQ (tentativa 3) → payments.dlq');
    expect(html).toContain('O processador falhou (OperationalError)');
    expect(html).toContain('payment-0 congelado (SIGSTOP)');
    expect(html).toContain('curada');
    expect(html).toContain('>falhas<');
  });
});

describe('the faults message', () => {
  it('is accepted with its arrays and refused without them', () => {
    expect(parseServerMessage(JSON.stringify({ type: 'faults', at: 1, drills: [], faults: [] }))?.type).toBe('faults');
    expect(parseServerMessage('{"type":"faults","drills":[]}')).toBeNull();
  });
});
