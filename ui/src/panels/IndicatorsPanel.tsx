import { Area, AreaChart, Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { Section } from '../components/Explain';
import { faultMarkerElements } from '../components/FaultMarkers';
import { colorAt } from '../components/palette';
import { useI18n } from '../i18n';
import { chartMarkers, timeDomain } from '../shaping/faults';
import { formatNumber, formatPercent, formatSeconds, formatTime } from '../shaping/format';
import { KPIS, seriesRows, stageRows, type KpiKey } from '../shaping/indicators';
import type { Dashboard } from '../state/useDashboard';

const SERIES = ['placed', 'confirmed', 'cancelled', 'dead_lettered'] as const;

export function IndicatorsPanel({ dash }: { dash: Dashboard }) {
  const { lang, t } = useI18n();
  const ind = dash.indicators;
  const value = (key: KpiKey, kind: string) => {
    const v = ind?.[key];
    return kind === 'ratio' ? formatPercent(v, lang) : formatNumber(v, lang, kind === 'count' ? 0 : 1);
  };
  const stages = stageRows(ind).map((r) => ({ ...r, label: t(`ind.stage.${r.stage}`) }));
  const series = seriesRows(ind);
  const seriesDomain = timeDomain(series);
  const seriesMarkers = chartMarkers(dash.faults.faults, seriesDomain);
  const kpiDomain = timeDomain(dash.kpiHistory);
  const kpiMarkers = chartMarkers(dash.faults.faults, kpiDomain);
  return (
    <div className="panel-grid indicators-grid">
      <Section title={t('ind.title')} explain={t('ind.explain', { w: formatSeconds(ind?.window_s ?? 300, lang) })} className="span-all">
        {!ind ? <p className="muted">{t('ind.waiting')}</p> : null}
        <div className="kpis">
          {KPIS.map(({ key, kind }, i) => (
            <div key={key} className="kpi" data-testid={`kpi-${key}`} title={t(`ind.def.${key}`)}>
              <div className="kpi-label">
                {t(`ind.kpi.${key}`)} <span className="info" aria-label={t(`ind.def.${key}`)}>?</span>
                <span className="tip" role="tooltip">{t(`ind.def.${key}`)}</span>
              </div>
              <div className="kpi-value">{value(key, kind)}</div>
              <ResponsiveContainer width="100%" height={36}>
                <LineChart data={dash.kpiHistory}>
                  <XAxis hide dataKey="at" type="number" scale="time" domain={['dataMin', 'dataMax']} />
                  <YAxis hide domain={['auto', 'auto']} />
                  {faultMarkerElements(kpiMarkers, t, lang, { labels: false })}
                  <Line dataKey={key} stroke={colorAt(i)} dot={false} isAnimationActive={false} strokeWidth={2} />
                </LineChart>
              </ResponsiveContainer>
            </div>
          ))}
        </div>
      </Section>
      <Section title={t('ind.stages')} explain={t('ind.stages.def')}>
        <div className="chart">
          <ResponsiveContainer width="100%" height={260}>
            <BarChart data={stages} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ea" />
              <XAxis dataKey="label" fontSize={11} />
              <YAxis fontSize={11} width={52} unit=" ms" />
              <Tooltip formatter={(v) => `${formatNumber(Number(v), lang, 0)} ms`} />
              <Legend wrapperStyle={{ fontSize: 12 }} />
              {(['p50', 'p95', 'p99'] as const).map((p, i) => (
                <Bar key={p} dataKey={p} name={p} fill={colorAt(i)} isAnimationActive={false} />
              ))}
            </BarChart>
          </ResponsiveContainer>
        </div>
      </Section>
      <Section title={t('ind.series')} explain={t('ind.series.explain', { w: formatSeconds(ind?.window_s ?? 300, lang) })}>
        <div className="chart" data-testid="series-chart" data-fault-markers={seriesMarkers.length}>
          <ResponsiveContainer width="100%" height={260}>
            <AreaChart data={series} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ea" />
              <XAxis dataKey="at" type="number" scale="time" domain={['dataMin', 'dataMax']} tickFormatter={(v: number) => formatTime(v, lang)} fontSize={11} />
              <YAxis fontSize={11} width={40} allowDecimals={false} />
              <Tooltip labelFormatter={(v) => formatTime(Number(v), lang)} />
              <Legend wrapperStyle={{ fontSize: 12 }} />
              {faultMarkerElements(seriesMarkers, t, lang)}
              {SERIES.map((s, i) => (
                <Area key={s} type="monotone" dataKey={s} name={t(`ind.series.${s}`)} stroke={colorAt(i)} fill={colorAt(i)} fillOpacity={s === 'placed' ? 0.08 : 0.25} isAnimationActive={false} />
              ))}
            </AreaChart>
          </ResponsiveContainer>
        </div>
      </Section>
    </div>
  );
}
