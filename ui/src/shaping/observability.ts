// Prometheus series (as the gateway shapes them) -> Recharts rows, and the values as a person reads them.
import type { ObsLang, ObsSeries, ObsUnit } from '../api/observability';
import { formatNumber } from './format';

export interface ChartLine {
  key: string;
  name: string;
}

export type ChartRow = { at: number } & Record<string, number | null>;

export interface ChartData {
  /** One row per timestamp: { at, s0, s1, ... }; null where a series has no value (a gap in its line). */
  rows: ChartRow[];
  lines: ChartLine[];
}

/** Rows for Recharts. Prometheus leaves out the steps where a series had no sample (a stopped
 * processor): an empty row goes where a step is missing, so lines break there instead of bridging it. */
export function chartData(series: ObsSeries[], lang: ObsLang, stepMs: number): ChartData {
  const lines = series.map((s, i) => ({ key: `s${i}`, name: seriesName(s, lang) }));
  const empty = () => Object.fromEntries(lines.map((l) => [l.key, null])) as Record<string, null>;
  const byTime = new Map<number, ChartRow>();
  series.forEach((s, i) => {
    for (const [at, value] of s.points) {
      const row = byTime.get(at) ?? { at, ...empty() };
      row[`s${i}`] = value;
      byTime.set(at, row);
    }
  });
  const sorted = [...byTime.values()].sort((a, b) => a.at - b.at);
  const rows: ChartRow[] = [];
  sorted.forEach((row, i) => {
    const previous = sorted[i - 1];
    if (previous && row.at - previous.at > 1.5 * stepMs) rows.push({ at: previous.at + stepMs, ...empty() });
    rows.push(row);
  });
  return { rows, lines };
}

/** The legend, else the series' labels (a legend naming a label the series lacks comes back empty). */
function seriesName(s: ObsSeries, lang: ObsLang): string {
  return s.legend[lang] || Object.values(s.labels).join(' ') || 'total';
}

/** The last non-null value of each series (what a "stat" panel shows). */
export function latestValues(series: ObsSeries[], lang: ObsLang): { name: string; value: number | null }[] {
  return series.map((s) => {
    const last = [...s.points].reverse().find(([, v]) => v !== null);
    return { name: seriesName(s, lang), value: last ? last[1] : null };
  });
}

const BYTE_STEPS = ['B', 'KB', 'MB', 'GB'];

/** 0.0421 s -> "42 ms"; 1536 bytes/s -> "1,5 KB/s"; 93.4 % -> "93,4%". */
export function formatValue(value: number | null | undefined, unit: ObsUnit, lang: ObsLang): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  switch (unit) {
    case 's':
      return value < 1 ? `${formatNumber(value * 1000, lang, value < 0.01 ? 1 : 0)} ms` : `${formatNumber(value, lang, 2)} s`;
    case '%':
      return `${formatNumber(value, lang, 1)}%`;
    case 'bytes/s': {
      let v = value;
      let step = 0;
      while (Math.abs(v) >= 1024 && step < BYTE_STEPS.length - 1) {
        v /= 1024;
        step += 1;
      }
      return `${formatNumber(v, lang, 1)} ${BYTE_STEPS[step]}/s`;
    }
    case 'ops/s':
      return `${formatNumber(value, lang, value < 10 ? 2 : 0)}/s`;
    case 'ops/min':
      return `${formatNumber(value, lang, 1)}/min`;
    default:
      return formatNumber(value, lang, value < 10 ? 1 : 0);
  }
}

/** `count` evenly spaced ticks from start to end (the whole range, like Grafana's time axis). */
export function timeTicks(start: number, end: number, count = 6): number[] {
  if (!(end > start)) return [start];
  return Array.from({ length: count }, (_, i) => Math.round(start + ((end - start) * i) / (count - 1)));
}

/** Auto-refresh period: Prometheus scrapes every 5 s, so faster would redraw the same points. */
export const REFRESH_MS = 10_000;
export const RANGES = ['15m', '1h', '6h'] as const;
