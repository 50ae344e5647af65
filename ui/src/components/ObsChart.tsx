import { Area, AreaChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { ObsData, ObsLang, ObsPanelDef } from '../api/observability';
import { useI18n } from '../i18n';
import { formatTime } from '../shaping/format';
import { chartData, formatValue, latestValues, timeTicks } from '../shaping/observability';
import { colorAt } from './palette';

interface Props {
  def: ObsPanelDef;
  data: ObsData | undefined;
  /** Why the last query failed, if it did. */
  failed: string | null;
  /** The drill-down service, or null for all of them. */
  service: string | null;
}

/** One Prometheus panel: a time series chart or a stat, and its "O que estou vendo?" with the PromQL. */
export function ObsChart({ def, data, failed, service }: Props) {
  const { lang, t } = useI18n();
  const series = data?.series ?? [];
  const valued = series.map((s) => s.points.filter(([, v]) => v !== null));
  const points = Math.max(0, ...valued.map((p) => p.length));
  const latest = Math.max(0, ...valued.flat().map(([at]) => at));
  const hasData = points > 0;
  const empty = failed ? t('obs.failed') : data ? t('obs.noData') : t('common.loading');
  return (
    <section className={`card obs-card obs-${def.kind}`} data-testid="obs-panel" data-panel-id={def.id} data-series={hasData ? series.length : 0} data-points={points} data-latest={latest}>
      <header className="card-head">
        <h2>{def.title[lang]}</h2>
        <span className="small muted">{t(`obs.unit.${def.unit}`)}</span>
      </header>
      <ObsExplain def={def} service={service} lang={lang} />
      {!hasData ? (
        <p className="muted obs-empty" title={failed ?? undefined}>
          {empty}
        </p>
      ) : null}
      {hasData && def.kind === 'stat' ? <StatValues data={data!} def={def} lang={lang} /> : null}
      {hasData && def.kind !== 'stat' ? <SeriesChart data={data!} def={def} lang={lang} /> : null}
    </section>
  );
}

function ObsExplain({ def, service, lang }: { def: ObsPanelDef; service: string | null; lang: ObsLang }) {
  const { t } = useI18n();
  const chosen = service ?? '.*';
  return (
    <details className="explain" data-testid="obs-explain">
      <summary>{t('explain.toggle')}</summary>
      <p>
        {def.explain[lang]}
        {def.per_service ? ` ${t('obs.perService', { service: service ?? t('obs.service.all') })}` : null}
      </p>
      <div className="small muted">{t('obs.promql')}</div>
      {def.queries.map((q) => (
        <pre key={q.expr} className="promql" data-testid="obs-promql">
          {q.expr.split('$service').join(chosen)}
        </pre>
      ))}
    </details>
  );
}

function StatValues({ data, def, lang }: { data: ObsData; def: ObsPanelDef; lang: ObsLang }) {
  return (
    <div className="obs-stats">
      {latestValues(data.series, lang).map(({ name, value }, i) => (
        <div key={`${name}-${i}`} className="obs-stat">
          <div className="kpi-value">{formatValue(value, def.unit, lang)}</div>
          <div className="kpi-label">{name}</div>
        </div>
      ))}
    </div>
  );
}

function SeriesChart({ data, def, lang }: { data: ObsData; def: ObsPanelDef; lang: ObsLang }) {
  const { rows, lines } = chartData(data.series, lang, data.step_s * 1000);
  const format = (v: number) => formatValue(v, def.unit, lang);
  const axes = [
    <CartesianGrid key="grid" strokeDasharray="3 3" stroke="#e3e6ea" />,
    <XAxis
      key="x"
      dataKey="at"
      type="number"
      scale="time"
      domain={[data.start_ms, data.end_ms]}
      ticks={timeTicks(data.start_ms, data.end_ms)}
      tickFormatter={(v: number) => formatTime(v, lang).slice(0, 5)}
      fontSize={11}
    />,
    <YAxis key="y" fontSize={11} width={64} tickFormatter={format} />,
    <Tooltip key="tip" labelFormatter={(v) => formatTime(Number(v), lang)} formatter={(v) => format(Number(v))} />,
    <Legend key="legend" wrapperStyle={{ fontSize: 12 }} />,
  ];
  return (
    <div className="chart">
      {/* a legend of many series (one per topic) takes rows: the plot keeps its height */}
      <ResponsiveContainer width="100%" height={200 + 18 * Math.ceil(lines.length / 4)}>
        {def.kind === 'area' ? (
          <AreaChart data={rows} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
            {axes}
            {lines.map((l, i) => (
              <Area key={l.key} type="linear" dataKey={l.key} name={l.name} stroke={colorAt(i)} fill={colorAt(i)} fillOpacity={0.2} stackId="all" isAnimationActive={false} />
            ))}
          </AreaChart>
        ) : (
          <LineChart data={rows} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
            {axes}
            {lines.map((l, i) => (
              <Line key={l.key} type="linear" dataKey={l.key} name={l.name} stroke={colorAt(i)} dot={false} strokeWidth={2} isAnimationActive={false} connectNulls={false} />
            ))}
          </LineChart>
        )}
      </ResponsiveContainer>
    </div>
  );
}
