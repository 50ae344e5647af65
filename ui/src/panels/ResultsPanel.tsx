import { useCallback, useEffect, useState } from 'react';
import { api } from '../api/client';
import type { ReportSummary } from '../api/types';
import { CopyCommand } from '../components/CopyCommand';
import { Section } from '../components/Explain';
import { ReportCard } from '../components/ReportCard';
import { useI18n } from '../i18n';
import { SUGGESTED_COMMANDS } from '../shaping/reports';

export function ResultsPanel() {
  const [reports, setReports] = useState<ReportSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    api
      .reports()
      .then((r) => {
        setReports(r);
        setError(null);
      })
      .catch((e: Error) => setError(e.message));
  }, []);
  useEffect(load, [load]);
  return <ResultsView reports={reports} error={error} onRefresh={load} now={Date.now()} />;
}

interface ViewProps {
  reports: ReportSummary[] | null;
  error: string | null;
  onRefresh(): void;
  now: number;
}

/** The tab's content for a given list (no fetching: what the tests render). */
export function ResultsView({ reports, error, onRefresh, now }: ViewProps) {
  const { t } = useI18n();
  const refresh = (
    <button type="button" onClick={onRefresh} data-testid="results-refresh">
      {t('common.refresh')}
    </button>
  );
  return (
    <div className="panel-grid">
      <Section title={t('results.title')} explain={t('results.explain')} actions={refresh}>
        {error ? <p className="error">{t('common.error', { msg: error })}</p> : null}
        {reports === null && !error ? <p className="muted">{t('common.loading')}</p> : null}
        {reports?.length === 0 ? <EmptyResults /> : null}
      </Section>
      {(reports ?? []).map((r) => (
        <ReportCard key={r.kind} report={r} now={now} />
      ))}
    </div>
  );
}

function EmptyResults() {
  const t = useI18n().t;
  return (
    <div className="results-empty" data-testid="results-empty">
      <p>{t('results.empty')}</p>
      <ul>
        {SUGGESTED_COMMANDS.map((c) => (
          <li key={c.command}>
            <CopyCommand command={c.command} />
            <span className="small muted">{t(c.key)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
