// Active and recent alerts in the header, on every tab: a badge with the number of firing alerts (red when one
// of them pages), a click opens the list. Polls GET /api/alerts every 5 s (docs/alerts.md: simpler than a
// WebSocket message, and short next to any alert's `for:`).
import { useCallback, useEffect, useState } from 'react';
import type { AlertsResponse } from '../api/alerts';
import { api } from '../api/client';
import { useI18n } from '../i18n';
import { alertRows, badgeState, type AlertRow } from '../shaping/alerts';
import { formatDuration } from '../shaping/faults';
import { formatTime } from '../shaping/format';
import './AlertsBadge.css';

export const ALERTS_POLL_MS = 5000;

export function AlertsBadge() {
  const [data, setData] = useState<AlertsResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    let alive = true;
    // On an error the last list stays, marked stale: the gateway restarting must not blank the alerts.
    const load = () =>
      api.alerts().then(
        (body) => {
          if (!alive) return;
          setData(body);
          setError(null);
          setNow(Date.now());
        },
        (e: unknown) => {
          if (!alive) return;
          setError(e instanceof Error ? e.message : String(e));
          setNow(Date.now());
        },
      );
    load();
    const id = window.setInterval(load, ALERTS_POLL_MS);
    return () => {
      alive = false;
      window.clearInterval(id);
    };
  }, []);
  const toggle = useCallback(() => setOpen((o) => !o), []);
  return <AlertsBadgeView data={data} error={error} open={open} onToggle={toggle} now={now} />;
}

interface ViewProps {
  data: AlertsResponse | null;
  error: string | null;
  open: boolean;
  onToggle(): void;
  now: number;
}

export function AlertsBadgeView({ data, error, open, onToggle, now }: ViewProps) {
  const { lang, t } = useI18n();
  const { count, level } = badgeState(data);
  const rows = alertRows(data, lang);
  const active = rows.filter((r) => !r.resolved);
  const recent = rows.filter((r) => r.resolved);
  const item = (r: AlertRow) => (
    <li key={r.key} className={`alert-item alert-${r.severity}${r.resolved ? ' alert-resolved' : ''}`} data-testid="alert-item">
      <div className="alert-line">
        <strong>{r.name}</strong>
        <span className="alert-service">{r.service}</span>
        <span className="alert-severity">{t(`alerts.severity.${r.severity}`)}</span>
      </div>
      <div className="alert-summary">{r.summary}</div>
      <div className="alert-when small">
        {r.resolved
          ? t('alerts.resolvedAt', { time: formatTime(r.endsAt, lang) })
          : t('alerts.since', { time: formatTime(r.startsAt, lang), age: formatDuration(now - r.startsAt) })}
        {r.runbook ? <code className="alert-runbook">{r.runbook}</code> : null}
      </div>
    </li>
  );
  return (
    <span className="alerts">
      <button
        type="button"
        className={`alerts-badge alerts-${level}${error ? ' alerts-stale' : ''}`}
        onClick={onToggle}
        aria-expanded={open}
        title={error ? t('alerts.error', { msg: error }) : t('alerts.title', { n: count })}
        data-testid="alerts-badge"
      >
        {t('alerts.badge', { n: count })}
      </button>
      {open ? (
        <div className="alerts-list" role="dialog" aria-label={t('alerts.active')} data-testid="alerts-list">
          {error ? <p className="error small">{t('alerts.error', { msg: error })}</p> : null}
          <h3>{t('alerts.active')}</h3>
          {active.length ? <ul>{active.map(item)}</ul> : <p className="muted small">{t('alerts.none')}</p>}
          {recent.length ? (
            <>
              <h3>{t('alerts.recent')}</h3>
              <ul>{recent.map(item)}</ul>
            </>
          ) : null}
          <p className="muted small">{t('alerts.explain')}</p>
        </div>
      ) : null}
    </span>
  );
}
