// Drill faults drawn on a Recharts time chart: a shaded span from injection to healing and a vertical line
// with a short label at the injection. Recharts only recognises its own element types among a chart's
// children, so this is a function returning them, not a component wrapping them.
import type { ReactElement } from 'react';
import { ReferenceArea, ReferenceLine } from 'recharts';
import type { T } from '../i18n';
import { faultColor, faultShort, faultState, formatDuration, type Marker } from '../shaping/faults';
import { formatTime, type Lang } from '../shaping/format';

const ROW_PX = 14;

/** Full sentence for a marker's tooltip: "payment-0 congelado (SIGSTOP) · 14:03:07 → 14:03:37 (30 s)". */
export function markerTitle(m: Marker, t: T, lang: Lang): string {
  const f = m.fault;
  const to = f.end_ms === null ? t('fault.ongoing') : formatTime(f.end_ms, lang);
  const d = formatDuration((f.end_ms ?? Date.now()) - f.start_ms);
  const span = t('fault.span', { from: formatTime(f.start_ms, lang), to, d });
  const who = f.scenario ?? f.drill_id;
  return `${who}: ${faultState(f, t)} · ${span}${f.injected ? '' : ` · ${t('fault.observed')}`}`;
}

interface LabelProps {
  marker: Marker;
  row: number;
  text: string;
  title: string;
  /** Set by Recharts when it clones the label: the line's box (x is the line). */
  viewBox?: { x?: number; y?: number };
}

function MarkerLabel({ marker, row, text, title, viewBox }: LabelProps) {
  const x = viewBox?.x ?? 0;
  const y = (viewBox?.y ?? 0) + ROW_PX * (row + 1) - 2;
  const leftOfLine = marker.labelLeft;
  // A white halo under the letters keeps them readable over lines and shading, whatever their width.
  return (
    <g className="fault-label" data-fault-id={marker.id}>
      <title>{title}</title>
      <text
        x={leftOfLine ? x - 4 : x + 4}
        y={y}
        textAnchor={leftOfLine ? 'end' : 'start'}
        fontSize={11}
        fontWeight={600}
        fill={faultColor(marker.fault)}
        stroke="#ffffff"
        strokeWidth={3}
        strokeLinejoin="round"
        paintOrder="stroke"
      >
        {text}
      </text>
    </g>
  );
}

export interface MarkerOptions {
  /** Short labels by the lines (off for the small sparklines). */
  labels?: boolean;
}

export function faultMarkerElements(markers: Marker[], t: T, lang: Lang, options: MarkerOptions = {}): ReactElement[] {
  const { labels = true } = options;
  const elements: ReactElement[] = [];
  for (const m of markers) {
    const color = faultColor(m.fault);
    if (m.x2 > m.x1) {
      elements.push(
        <ReferenceArea key={`area-${m.id}`} x1={m.x1} x2={m.x2} fill={color} fillOpacity={m.ongoing ? 0.1 : 0.14} stroke="none" ifOverflow="hidden" className="fault-area" />,
      );
    }
    if (m.clippedStart) continue; // began before the chart's first point: no injection moment to mark
    const label =
      labels && m.row !== null ? <MarkerLabel marker={m} row={m.row} text={faultShort(m.fault, t)} title={markerTitle(m, t, lang)} /> : undefined;
    elements.push(
      <ReferenceLine
        key={`line-${m.id}`}
        x={m.x1}
        stroke={color}
        strokeWidth={labels ? 1.6 : 1}
        strokeDasharray={m.fault.injected ? undefined : '4 3'}
        ifOverflow="hidden"
        className="fault-marker"
        label={label}
      />,
    );
  }
  return elements;
}
