import { useCallback, useEffect, useRef, useState } from 'react';
import { HttpError } from '../api/client';
import { observabilityApi, type ObsData, type ObsPanels, type ObsRange } from '../api/observability';
import { CopyCommand } from '../components/CopyCommand';
import { Section } from '../components/Explain';
import { ObsChart } from '../components/ObsChart';
import { useI18n } from '../i18n';
import { formatTime } from '../shaping/format';
import { RANGES, REFRESH_MS } from '../shaping/observability';

export const START_COMMAND = 'pedidos stack up';

/** The address the gateway tried (its 503 names it), else the error text. */
function unreachableUrl(error: HttpError): string {
  const url = (error.body as { prometheus_url?: unknown }).prometheus_url;
  return typeof url === 'string' ? url : error.message;
}

/** Fetches the panel definitions once, then every panel's series every REFRESH_MS for the chosen range and
 * service (a change of either refreshes at once; answers to an older choice are dropped). */
export function ObservabilityPanel() {
  const [defs, setDefs] = useState<ObsPanels | null>(null);
  const [range, setRange] = useState<ObsRange>('15m');
  const [service, setService] = useState<string | null>(null);
  const [data, setData] = useState<Record<string, ObsData>>({});
  const [failed, setFailed] = useState<Record<string, string>>({});
  const [unreachable, setUnreachable] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [updatedAt, setUpdatedAt] = useState<number | null>(null);
  const generation = useRef(0);

  useEffect(() => {
    observabilityApi.panels().then(setDefs, (e: Error) => setError(e.message));
  }, []);

  const load = useCallback(async () => {
    if (!defs) return;
    const mine = ++generation.current;
    const answers = await Promise.allSettled(defs.panels.map((p) => observabilityApi.query(p.id, range, service)));
    if (mine !== generation.current) return;
    const next: Record<string, ObsData> = {};
    const failures: Record<string, string> = {};
    let down: string | null = null;
    let other: string | null = null;
    answers.forEach((a, i) => {
      if (a.status === 'fulfilled') {
        next[a.value.panel] = a.value;
        return;
      }
      failures[defs.panels[i]!.id] = (a.reason as Error).message;
      if (a.reason instanceof HttpError && a.reason.status === 503) down = unreachableUrl(a.reason);
      else other = (a.reason as Error).message;
    });
    setData(next);
    setFailed(failures);
    setUnreachable(down);
    setError(other);
    setUpdatedAt(Date.now());
  }, [defs, range, service]);

  useEffect(() => {
    void load();
    const id = window.setInterval(() => void load(), REFRESH_MS);
    return () => window.clearInterval(id);
  }, [load]);

  return (
    <ObservabilityView
      defs={defs}
      data={data}
      failed={failed}
      range={range}
      service={service}
      unreachable={unreachable}
      error={error}
      updatedAt={updatedAt}
      onRange={setRange}
      onService={setService}
    />
  );
}

interface ViewProps {
  defs: ObsPanels | null;
  data: Record<string, ObsData>;
  /** Panels whose last query failed: their message. */
  failed: Record<string, string>;
  range: ObsRange;
  service: string | null;
  /** Prometheus' address when the gateway could not reach it. */
  unreachable: string | null;
  error: string | null;
  updatedAt: number | null;
  onRange(range: ObsRange): void;
  onService(service: string | null): void;
}

/** The tab for given data (no fetching: what the tests render). */
export function ObservabilityView(props: ViewProps) {
  const { lang, t } = useI18n();
  const { defs, range, service } = props;
  const controls = (
    <>
      <div className="obs-ranges" role="group" aria-label={t('obs.range')}>
        {RANGES.map((r) => (
          <button key={r} type="button" className={r === range ? 'tab on' : 'tab'} aria-pressed={r === range} onClick={() => props.onRange(r)} data-testid={`obs-range-${r}`}>
            {t(`obs.range.${r}`)}
          </button>
        ))}
      </div>
      <label className="small" title={t('obs.service.note')}>
        {t('obs.service')}{' '}
        <select value={service ?? ''} onChange={(e) => props.onService(e.target.value || null)} data-testid="obs-service">
          <option value="">{t('obs.service.all')}</option>
          {(defs?.services ?? []).map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      {props.updatedAt ? <span className="small muted">{t('obs.updated', { time: formatTime(props.updatedAt, lang) })}</span> : null}
    </>
  );
  return (
    <div className="panel-grid obs-grid">
      <Section title={t('obs.title')} explain={t('obs.explain')} actions={controls} className="span-all">
        {props.unreachable ? (
          <div className="error-box" data-testid="obs-unreachable">
            <p>
              <strong>{t('obs.unreachable', { url: props.unreachable })}</strong>
            </p>
            <p>{t('obs.unreachable.hint')}</p>
            <CopyCommand command={START_COMMAND} />
          </div>
        ) : null}
        {props.error ? <p className="error">{t('common.error', { msg: props.error })}</p> : null}
        {!defs && !props.error ? <p className="muted">{t('common.loading')}</p> : null}
      </Section>
      {(defs?.panels ?? []).map((def) => (
        <ObsChart key={def.id} def={def} data={props.data[def.id]} failed={props.failed[def.id] ?? null} service={service} />
      ))}
    </div>
  );
}
