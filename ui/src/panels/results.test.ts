// The Results tab rendered server-side (no DOM) with API.md-shaped reports; the copy helper with a fake clipboard.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { api, reportChartUrl, setFetch } from '../api/client';
import { copyText } from '../components/CopyCommand';
import { ReportCard } from '../components/ReportCard';
import { I18nProvider } from '../i18n';
import { report as sample } from '../test/fixtures';
import { ResultsView } from './ResultsPanel';

const count = (html: string, needle: string) => html.split(needle).length - 1;
const now = Date.UTC(2026, 10, 23, 15, 5, 0);

describe('results tab', () => {
  it('a report card shows title, age, command, table, chart and conclusion', () => {
    const html = renderToStaticMarkup(createElement(ReportCard, { report: sample(), now }));
    expect(html).toContain('Fan-out do painel');
    expect(html).toContain('há 5 min');
    expect(html).toContain('data-testid="report-command"');
    expect(html).toContain('pedidos bench telemetry --clients 3');
    expect(count(html, '<tr>')).toBe(4); // header + 3 rows
    expect(html).toContain('1.235');
    expect(html).toContain('—');
    expect(html).toContain(`src="${reportChartUrl(sample()).replace(/&/g, '&amp;')}"`);
    expect(html).toContain('Nenhum evento descartado.');
    expect(html).toContain('O que este resultado mede?');
    expect(html).toContain('data-kind="bench-telemetry"');
  });
  it('a report without a chart says so instead of a broken image', () => {
    const html = renderToStaticMarkup(createElement(ReportCard, { report: sample({ has_chart: false, conclusion: null }), now }));
    expect(html).not.toContain('data-testid="report-chart"');
    expect(html).toContain('não tem gráfico');
    expect(html).not.toContain('data-testid="report-conclusion"');
    expect(html).toContain('report-body no-chart');
  });
  it('a label the command indented stays indented, without its leading spaces', () => {
    const table = { columns: ['o que', 'valor'], rows: [['abortados', 7], ['  em payments.confirmed', 3]] };
    const html = renderToStaticMarkup(createElement(ReportCard, { report: sample({ table }), now }));
    expect(html).toContain('<td class="indent">em payments.confirmed</td>');
    expect(html).toContain('<td>abortados</td>');
  });
  it('the view lists one card per report and explains ratios', () => {
    const reports = [sample(), sample({ kind: 'load', title: { pt: 'Carga', en: 'Load' } })];
    const html = renderToStaticMarkup(createElement(ResultsView, { reports, error: null, onRefresh: () => undefined, now }));
    expect(count(html, 'data-testid="report-card"')).toBe(2);
    expect(html).toContain('Como ler uma razão');
    expect(html).not.toContain('data-testid="results-empty"');
  });
  it('the empty state tells which commands to run', () => {
    const html = renderToStaticMarkup(createElement(ResultsView, { reports: [], error: null, onRefresh: () => undefined, now }));
    expect(html).toContain('data-testid="results-empty"');
    expect(html).toContain('pedidos load --rate 50 --duration 30');
    expect(html).toContain('pedidos bench telemetry');
    expect(html).toContain('pedidos chaos kill');
  });
  it('errors and loading are shown, in English when chosen', () => {
    vi.stubGlobal('localStorage', { getItem: (k: string) => (k === 'pedidos.lang' ? 'en' : null), setItem: () => undefined });
    try {
      const html = renderToStaticMarkup(
        createElement(I18nProvider, null, createElement(ResultsView, { reports: null, error: 'HTTP 503', onRefresh: () => undefined, now })),
      );
      expect(html).toContain('Error: HTTP 503');
      expect(html).toContain('Results: benchmarks, labs and drills');
    } finally {
      vi.unstubAllGlobals();
    }
  });
  it('copies through the clipboard and reports a refusal', async () => {
    const copied: string[] = [];
    expect(await copyText('pedidos load', { writeText: async (t) => void copied.push(t) })).toBe(true);
    expect(copied).toEqual(['pedidos load']);
    expect(await copyText('x', { writeText: () => Promise.reject(new Error('denied')) })).toBe(false);
    expect(await copyText('x', undefined)).toBe(false);
  });
  it('the client fetches /api/reports and builds cache-busting chart URLs', async () => {
    const urls: string[] = [];
    setFetch((async (url: string) => {
      urls.push(url);
      return new Response(JSON.stringify({ reports: [sample()] }), { status: 200 });
    }) as typeof fetch);
    try {
      expect((await api.reports())[0]!.kind).toBe('bench-telemetry');
    } finally {
      setFetch((...args) => fetch(...args));
    }
    expect(urls).toEqual(['/api/reports']);
    expect(reportChartUrl(sample())).toBe('/api/reports/bench-telemetry.png?v=2026-11-23T15%3A00%3A00%2B00%3A00');
  });
});
