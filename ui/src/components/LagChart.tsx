import { useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { FaultSpan, LagPoint } from '../api/types';
import { useI18n } from '../i18n';
import { chartMarkers, timeDomain } from '../shaping/faults';
import { formatTime } from '../shaping/format';
import { historyGroups, lagChartRows, type LagUnit } from '../shaping/lagHistory';
import { Section } from './Explain';
import { faultMarkerElements } from './FaultMarkers';
import { colorAt } from './palette';

export function LagChart({ points, faults = [] }: { points: LagPoint[]; faults?: FaultSpan[] }) {
  const { lang, t } = useI18n();
  const [unit, setUnit] = useState<LagUnit>('messages');
  const groups = historyGroups(points);
  const rows = lagChartRows(points, unit);
  // The markers share the lines' x axis: the lag history's own `at` (epoch ms), clipped to its first and last point.
  const domain = timeDomain(points);
  const markers = chartMarkers(faults, domain);
  const units = (
    <span className="seg">
      {(['messages', 'seconds'] as const).map((u) => (
        <button key={u} type="button" className={u === unit ? 'on' : ''} onClick={() => setUnit(u)}>
          {t(`kafka.unit.${u}`)}
        </button>
      ))}
    </span>
  );
  return (
    <Section title={t('kafka.lagChart')} explain={t('kafka.lagChart.explain')} actions={units}>
      <div className="chart" data-testid="lag-chart" data-points={rows.length} data-fault-markers={markers.length}>
        <ResponsiveContainer width="100%" height={220}>
          <LineChart data={rows} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ea" />
            <XAxis dataKey="at" type="number" domain={['dataMin', 'dataMax']} scale="time" tickFormatter={(v: number) => formatTime(v, lang)} fontSize={11} />
            <YAxis fontSize={11} width={48} allowDecimals={unit === 'seconds'} />
            <Tooltip labelFormatter={(v) => formatTime(Number(v), lang)} />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            {faultMarkerElements(markers, t, lang)}
            {groups.map((g, i) => (
              <Line key={g} dataKey={g} name={g} stroke={colorAt(i)} dot={false} isAnimationActive={false} strokeWidth={2} connectNulls />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </Section>
  );
}
