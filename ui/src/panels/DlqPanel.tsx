import { useCallback, useEffect, useState } from 'react';
import { api, HttpError } from '../api/client';
import type { DlqRecord } from '../api/types';
import { Section } from '../components/Explain';
import { OrderLink } from '../components/OrderLink';
import { useI18n, type T } from '../i18n';
import { coords, formatDateTime, originCoords } from '../shaping/format';

/** What /api/dlq adds for replays (API.md, "Replay da DLQ"). */
type DlqRow = DlqRecord & {
  replay_of?: string | null;
  replayed?: { copy: string | null; replay_id: string; replayed_at: string } | null;
};

export type ReplayAction = 'replay' | 'already-replayed' | 'still-invalid' | 'failed-again' | 'no-origin';

/** The answer of POST /api/dlq/replay: the same report as `pedidos dlq replay`. */
export interface ReplayReport {
  replay_id: string;
  dry_run: boolean;
  selected: number;
  published: number;
  counts: Record<ReplayAction, number>;
  by_reason: Record<string, Record<ReplayAction, number>>;
}

export interface ReplayRequest {
  reason?: string;
  dry_run: boolean;
}

export type ReplayState =
  | { phase: 'idle' }
  | { phase: 'busy'; dryRun: boolean }
  | { phase: 'preview'; report: ReplayReport }
  | { phase: 'done'; report: ReplayReport }
  | { phase: 'error'; message: string };

type Fetch = typeof fetch;

/** POST /api/dlq/replay; an HTTP error comes back as HttpError with the API's message. */
export async function postReplay(body: ReplayRequest, fetchImpl: Fetch = (...a) => fetch(...a)): Promise<ReplayReport> {
  const response = await fetchImpl('/api/dlq/replay', {
    method: 'POST',
    headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = { error: text.slice(0, 200) };
  }
  if (!response.ok) throw new HttpError(response.status, (parsed ?? {}) as { error: string });
  return parsed as ReplayReport;
}

export function replayRequest(reason: string, dryRun: boolean): ReplayRequest {
  return reason ? { reason, dry_run: dryRun } : { dry_run: dryRun };
}

/** The summary lines of a report: what was (or would be) replayed, then what was skipped and why. */
export function replaySummary(report: ReplayReport, t: T): string[] {
  const c = report.counts;
  const skipped = c['already-replayed'] + c['still-invalid'] + c['failed-again'] + c['no-origin'];
  if (c.replay === 0 && skipped === 0) return [t('dlq.replay.nothing')];
  const head = t(report.dry_run ? 'dlq.replay.preview' : 'dlq.replay.done', { n: c.replay, records: report.published });
  if (skipped === 0) return [head];
  return [
    head,
    t('dlq.replay.skipped', {
      already: c['already-replayed'],
      invalid: c['still-invalid'],
      again: c['failed-again'],
      noorigin: c['no-origin'],
    }),
  ];
}

/** The preview / result box under the panel's title. */
export function ReplayBox(props: { state: ReplayState; t: T; onConfirm: () => void; onClose: () => void }) {
  const { state, t } = props;
  if (state.phase === 'idle') return null;
  if (state.phase === 'busy') {
    return <p className="muted" data-testid="dlq-replay-busy">{t(state.dryRun ? 'dlq.replay.previewing' : 'dlq.replay.running')}</p>;
  }
  if (state.phase === 'error') {
    return (
      <div className="error-box" data-testid="dlq-replay-error">
        <p>{t('dlq.replay.error', { msg: state.message })}</p>
        <button type="button" onClick={props.onClose}>{t('dlq.replay.close')}</button>
      </div>
    );
  }
  const lines = replaySummary(state.report, t);
  const preview = state.phase === 'preview';
  return (
    <div className="controls-row" data-testid={preview ? 'dlq-replay-preview' : 'dlq-replay-result'}>
      <div>
        {lines.map((line) => (
          <p key={line} className={preview ? 'muted' : undefined}>{line}</p>
        ))}
      </div>
      {preview && state.report.counts.replay > 0 ? (
        <button type="button" className="primary" onClick={props.onConfirm} data-testid="dlq-replay-confirm">
          {t('dlq.replay.confirm')}
        </button>
      ) : null}
      <button type="button" onClick={props.onClose} data-testid="dlq-replay-close">
        {t(preview ? 'dlq.replay.cancel' : 'dlq.replay.close')}
      </button>
    </div>
  );
}

export function DlqPanel() {
  const { lang, t } = useI18n();
  const [records, setRecords] = useState<DlqRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [replay, setReplay] = useState<ReplayState>({ phase: 'idle' });
  const load = useCallback(() => {
    api
      .dlq(100)
      .then((r) => {
        setRecords([...(r as DlqRow[])].sort((a, b) => b.timestamp - a.timestamp));
        setError(null);
      })
      .catch((e: Error) => setError(e.message));
  }, []);
  useEffect(load, [load]);
  // Always a dry run first: the operator sees what would go back before anything does.
  const run = (dryRun: boolean) => {
    setReplay({ phase: 'busy', dryRun });
    postReplay(replayRequest(reason, dryRun))
      .then((report) => {
        setReplay(dryRun ? { phase: 'preview', report } : { phase: 'done', report });
        if (!dryRun) load();
      })
      .catch((e: Error) => setReplay({ phase: 'error', message: e.message }));
  };
  const reasons = [...new Set((records ?? []).map((r) => r.reason).filter(Boolean))].sort();
  const busy = replay.phase === 'busy';
  const actions = (
    <>
      <select value={reason} onChange={(e) => setReason(e.target.value)} aria-label={t('dlq.replay.reason')} data-testid="dlq-replay-reason">
        <option value="">{t('dlq.replay.all')}</option>
        {reasons.map((r) => (
          <option key={r} value={r}>{r}</option>
        ))}
      </select>
      <button type="button" onClick={() => run(true)} disabled={busy} data-testid="dlq-replay">
        {t('dlq.replay.button')}
      </button>
      <button type="button" onClick={load} data-testid="dlq-refresh">
        {t('common.refresh')}
      </button>
    </>
  );
  return (
    <div className="panel-grid">
      <Section title={t('dlq.title')} explain={`${t('dlq.explain')} ${t('dlq.replay.explain')}`} actions={actions}>
        <ReplayBox state={replay} t={t} onConfirm={() => run(false)} onClose={() => setReplay({ phase: 'idle' })} />
        {error ? <p className="error">{t('common.error', { msg: error })}</p> : null}
        {records === null && !error ? <p className="muted">{t('common.loading')}</p> : null}
        {records?.length === 0 ? <p className="muted">{t('dlq.empty')}</p> : null}
        {records && records.length > 0 ? (
          <div className="scroll">
            <table className="table dense">
              <thead>
                <tr>
                  <th>{t('dlq.col.time')}</th>
                  <th>{t('dlq.col.reason')}</th>
                  <th>{t('dlq.col.processor')}</th>
                  <th>{t('dlq.col.origin')}</th>
                  <th>{t('dlq.col.order')}</th>
                  <th>{t('dlq.col.record')}</th>
                  <th>{t('dlq.col.replayed')}</th>
                </tr>
              </thead>
              <tbody>
                {records.map((r) => (
                  <tr key={`${r.topic}:${r.partition}:${r.offset}`} data-testid="dlq-row">
                    <td className="mono small">{formatDateTime(r.timestamp, lang)}</td>
                    <td>
                      <strong>{r.reason}</strong>
                      {r.detail ? <div className="small muted">{r.detail}</div> : null}
                    </td>
                    <td>{r.processor}</td>
                    <td className="mono">{originCoords(r.origin)}</td>
                    <td>
                      <OrderLink id={r.order_id} />
                    </td>
                    <td className="mono small">{coords(r.topic, r.partition, r.offset)}</td>
                    <td className="small">
                      <ReplayMark row={r} t={t} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </Section>
    </div>
  );
}

/** Replayed already (and where the copy went), or itself a replay that failed again. */
export function ReplayMark({ row, t }: { row: DlqRow; t: T }) {
  if (row.replayed) {
    return (
      <span className="badge tone-ok" data-testid="dlq-replayed">
        {t('dlq.replayed', { copy: row.replayed.copy ?? '—' })}
      </span>
    );
  }
  if (row.replay_of) {
    return (
      <span className="badge tone-bad" data-testid="dlq-replay-of">
        {t('dlq.replay_of', { from: row.replay_of })}
      </span>
    );
  }
  return null;
}
