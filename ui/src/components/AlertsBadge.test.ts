// The header's alerts: the badge counts firing alerts, the list shows name, service, since and the summary in
// the dashboard's language, resolved ones greyed after the firing ones; polling goes through api.alerts().
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertItem, AlertsResponse } from '../api/alerts';
import { api, setFetch } from '../api/client';
import { I18nProvider } from '../i18n';
import { alertRows, alertSummary, badgeState } from '../shaping/alerts';
import { AlertsBadgeView } from './AlertsBadge';
import { Header } from './Header';

const NOW = Date.UTC(2026, 11, 6, 5, 12, 5);

function alert(over: Partial<AlertItem> = {}): AlertItem {
  return {
    fingerprint: 'f1',
    name: 'PedidosServiceDown',
    status: 'firing',
    severity: 'page',
    service: 'payment',
    labels: { alertname: 'PedidosServiceDown', severity: 'page', service: 'payment', instance: 'payment-0' },
    annotations: { summary_pt: 'payment-0 fora do ar', summary_en: 'payment-0 is down', runbook: 'docs/alerts.md#pedidosservicedown: x' },
    starts_at: NOW - 125_000,
    ends_at: null,
    received_at: NOW - 5_000,
    ...over,
  };
}

const lagResolved = alert({
  fingerprint: 'f2',
  name: 'PedidosConsumerLagHigh',
  status: 'resolved',
  severity: 'warn',
  service: 'inventory',
  annotations: { summary_pt: 'Lag alto no grupo inventory', summary_en: 'High lag in group inventory' },
  ends_at: NOW - 60_000,
});
const data: AlertsResponse = { active: [alert()], recent: [lagResolved] };

function view(props: { data: AlertsResponse | null; open: boolean; error?: string | null; lang?: 'pt' | 'en' }) {
  globalThis.localStorage = { getItem: () => props.lang ?? 'pt', setItem: () => undefined } as unknown as Storage;
  try {
    const badge = createElement(AlertsBadgeView, { error: null, onToggle: () => undefined, now: NOW, ...props });
    return renderToStaticMarkup(createElement(I18nProvider, null, badge));
  } finally {
    delete (globalThis as { localStorage?: Storage }).localStorage;
  }
}

describe('alert shaping', () => {
  it('counts firing alerts and is red when one pages', () => {
    expect(badgeState(data)).toEqual({ count: 1, level: 'page' });
    expect(badgeState({ active: [alert({ severity: 'warn' })], recent: [] })).toEqual({ count: 1, level: 'warn' });
    expect(badgeState({ active: [], recent: [lagResolved] })).toEqual({ count: 0, level: 'none' });
    expect(badgeState(null)).toEqual({ count: 0, level: 'none' });
  });
  it('picks the summary of the language, then the other one, then the name', () => {
    expect(alertSummary(alert(), 'en')).toBe('payment-0 is down');
    expect(alertSummary(alert({ annotations: { summary_pt: 'só pt' } }), 'en')).toBe('só pt');
    expect(alertSummary(alert({ annotations: { summary: 'plain' } }), 'pt')).toBe('plain');
    expect(alertSummary(alert({ annotations: {} }), 'pt')).toBe('PedidosServiceDown');
  });
  it('lists firing alerts before resolved ones', () => {
    const rows = alertRows(data, 'pt');
    expect(rows.map((r) => [r.name, r.service, r.resolved])).toEqual([
      ['PedidosServiceDown', 'payment', false],
      ['PedidosConsumerLagHigh', 'inventory', true],
    ]);
    expect(alertRows(null, 'pt')).toEqual([]);
  });
});

describe('AlertsBadge', () => {
  it('closed: a red badge with the count, no list', () => {
    const html = view({ data, open: false });
    expect(html).toContain('alertas: 1');
    expect(html).toContain('alerts-badge alerts-page');
    expect(html).toContain('aria-expanded="false"');
    expect(html).not.toContain('data-testid="alerts-list"');
  });
  it('open in pt: name, service, since and summary; the resolved one greyed after it', () => {
    const html = view({ data, open: true });
    expect(html).toContain('aria-expanded="true"');
    expect(html).toContain('PedidosServiceDown');
    expect(html).toContain('payment-0 fora do ar');
    expect(html).toMatch(/desde \d\d:\d\d:\d\d \(há 2 min 05 s\)/);
    expect(html).toContain('Resolvidos na última hora');
    const firing = html.indexOf('PedidosServiceDown');
    const resolved = html.indexOf('alert-item alert-warn alert-resolved');
    expect(firing).toBeGreaterThan(-1);
    expect(resolved).toBeGreaterThan(firing);
    expect(html.slice(resolved)).toContain('Lag alto no grupo inventory');
    expect(html).toMatch(/resolvido às \d\d:\d\d:\d\d/);
  });
  it('open in English: the English summaries and labels', () => {
    const html = view({ data, open: true, lang: 'en' });
    expect(html).toContain('alerts: 1');
    expect(html).toContain('payment-0 is down');
    expect(html).toContain('High lag in group inventory');
    expect(html).toContain('(2 min 05 s ago)');
    expect(html).not.toContain('fora do ar');
  });
  it('nothing firing: a quiet badge and the list says so', () => {
    const html = view({ data: { active: [], recent: [] }, open: true });
    expect(html).toContain('alertas: 0');
    expect(html).toContain('alerts-badge alerts-none');
    expect(html).toContain('Nenhum alerta disparando.');
    expect(html).not.toContain('Resolvidos na última hora');
  });
  it('a failed poll keeps the last list, marked stale', () => {
    const html = view({ data, open: true, error: 'HTTP 503' });
    expect(html).toContain('alerts-stale');
    expect(html).toContain('Alertas indisponíveis: HTTP 503');
    expect(html).toContain('payment-0 fora do ar');
  });
  it('sits in the header', () => {
    const html = renderToStaticMarkup(
      createElement(Header, { status: { state: 'open', attempt: 0, retryAt: null, everOpened: true }, dropped: 0, droppedTotal: 0 }),
    );
    expect(html).toContain('data-testid="alerts-badge"');
  });
});

describe('api.alerts', () => {
  afterEach(() => setFetch((...args) => fetch(...args)));
  it('reads GET /api/alerts', async () => {
    const asked: string[] = [];
    setFetch(async (input) => {
      asked.push(String(input));
      return new Response(JSON.stringify(data), { status: 200 });
    });
    expect(await api.alerts()).toEqual(data);
    expect(asked).toEqual(['/api/alerts']);
  });
});
