// The Observability tab renders (server-side, no DOM) with API-shaped data, and says how to start Prometheus.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { ObsData, ObsPanelDef, ObsPanels } from '../api/observability';
import { ObservabilityView, START_COMMAND } from './ObservabilityPanel';

const def = (id: string, kind: ObsPanelDef['kind'], expr: string): ObsPanelDef => ({
  id,
  title: { pt: `título ${id}`, en: `title ${id}` },
  unit: kind === 'stat' ? 'count' : 'records',
  kind,
  per_service: expr.includes('$service'),
  queries: [{ expr, legend: { pt: '{{group}}', en: '{{group}}' } }],
  explain: { pt: `explicação ${id}`, en: `explanation ${id}` },
});

const defs: ObsPanels = {
  panels: [def('lag_records', 'area', 'sum by (group) (pedidos_consumer_lag_records{processor=~"$service"})'), def('active_controller', 'stat', 'sum(x)')],
  services: ['payment', 'inventory'],
  ranges: ['15m', '1h', '6h'],
};

const data = (panel: string, values: (number | null)[]): ObsData => ({
  panel,
  range: '15m',
  service: null,
  step_s: 15,
  start_ms: 0,
  end_ms: 900_000,
  series: [{ query: 0, labels: { group: 'payment' }, legend: { pt: 'payment', en: 'payment' }, points: values.map((v, i) => [i * 15000, v]) }],
});

const render = (over: Partial<Parameters<typeof ObservabilityView>[0]> = {}) =>
  renderToStaticMarkup(
    createElement(ObservabilityView, {
      defs,
      data: {},
      failed: {},
      range: '1h',
      service: null,
      unreachable: null,
      error: null,
      updatedAt: null,
      onRange: () => undefined,
      onService: () => undefined,
      ...over,
    }),
  );

describe('ObservabilityView', () => {
  it('draws every panel with its title, explanation and PromQL, the drill-down applied to the query shown', () => {
    const html = render({ data: { lag_records: data('lag_records', [1, 2]), active_controller: data('active_controller', [1, null]) }, service: 'payment' });
    expect(html.split('data-testid="obs-panel"').length - 1).toBe(2);
    expect(html).toContain('título lag_records');
    expect(html).toContain('explicação lag_records');
    expect(html).toContain('pedidos_consumer_lag_records{processor=~&quot;payment&quot;}');
    expect(html).toContain('Muda com o serviço escolhido (payment).');
    expect(html).toContain('data-panel-id="lag_records" data-series="1" data-points="2"');
    expect(html).toContain('registros'); // the unit, in Portuguese
    expect(html).toMatch(/class="kpi-value">1<\/div><div class="kpi-label">payment/); // the stat: last non-null value
    expect(html).toContain('aria-pressed="true" data-testid="obs-range-1h"');
    expect(html).not.toContain('obs-unreachable');
  });
  it('says there is no data rather than drawing an empty chart', () => {
    const html = render({ data: { lag_records: data('lag_records', [null]) } });
    expect(html).toContain('data-panel-id="lag_records" data-series="0"');
    expect(html).toContain('sem dados neste intervalo');
    expect(html).toContain('carregando…'); // active_controller: no answer yet
  });
  it('tells how to start Prometheus when it is not reachable', () => {
    const html = render({ unreachable: 'http://127.0.0.1:9090', failed: { lag_records: 'HTTP 503' } });
    expect(html).toContain('data-testid="obs-unreachable"');
    expect(html).toContain('O Prometheus não responde em http://127.0.0.1:9090.');
    expect(html).toContain('o Prometheus não respondeu a esta consulta');
    expect(html).toContain(START_COMMAND);
  });
});
