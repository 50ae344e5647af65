// The header's alert list: active alerts first (oldest first, as the gateway sends them), then the ones resolved
// in the last hour (newest first), each with its summary in the dashboard's language.
import type { AlertItem, AlertsResponse } from '../api/alerts';
import type { Lang } from './format';

export interface AlertRow {
  key: string;
  name: string;
  service: string;
  severity: string;
  summary: string;
  runbook: string | null;
  startsAt: number;
  endsAt: number | null;
  resolved: boolean;
}

/** summary_<lang>, else the other language's, else a plain `summary`, else the alert's name. */
export function alertSummary(alert: AlertItem, lang: Lang): string {
  const other: Lang = lang === 'pt' ? 'en' : 'pt';
  const a = alert.annotations ?? {};
  return a[`summary_${lang}`] || a[`summary_${other}`] || a.summary || alert.name;
}

export function alertRows(data: AlertsResponse | null, lang: Lang): AlertRow[] {
  if (!data) return [];
  const row = (alert: AlertItem): AlertRow => ({
    key: `${alert.fingerprint}@${alert.starts_at}`,
    name: alert.name,
    service: alert.service ?? alert.labels?.service ?? '—',
    severity: alert.severity ?? alert.labels?.severity ?? 'warn',
    summary: alertSummary(alert, lang),
    runbook: alert.annotations?.runbook ?? null,
    startsAt: alert.starts_at,
    endsAt: alert.ends_at,
    resolved: alert.status === 'resolved',
  });
  return [...data.active.map(row), ...data.recent.map(row)];
}

/** The badge: how many fire, and whether any of them pages someone (red) or only warns. */
export function badgeState(data: AlertsResponse | null): { count: number; level: 'page' | 'warn' | 'none' } {
  const active = data?.active ?? [];
  if (active.length === 0) return { count: 0, level: 'none' };
  const pages = active.some((a) => (a.severity ?? a.labels?.severity) === 'page');
  return { count: active.length, level: pages ? 'page' : 'warn' };
}
