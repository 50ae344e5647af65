// Drill faults (API.md "drill faults"): the client's copy of them, the running drill, and the markers the
// time charts draw. Pure functions; the words come from the locales (fault.* keys).
import type { Drill, Faults, FaultSpan } from '../api/types';
import { isKey, type T } from '../i18n';

export interface FaultState {
  drills: Drill[];
  faults: FaultSpan[];
}

export const emptyFaults = (): FaultState => ({ drills: [], faults: [] });

/** Spans kept by the client: well over a drill's worth, so a long lab keeps its whole story. */
export const MAX_SPANS = 500;

/** Folds a snapshot or a `faults` message in: the newer copy of a drill or span wins (a span heals, a drill
 * ends), the rest is kept. Sorted by start, capped to the newest `max`. */
export function mergeFaults(state: FaultState, incoming: Pick<Faults, 'drills' | 'faults'>, max = MAX_SPANS): FaultState {
  const drills = new Map(state.drills.map((d) => [d.drill_id, d]));
  for (const d of incoming.drills) drills.set(d.drill_id, d);
  const spans = new Map(state.faults.map((f) => [f.id, f]));
  for (const f of incoming.faults) spans.set(f.id, f);
  const faults = [...spans.values()].sort((a, b) => a.start_ms - b.start_ms || a.fault_id - b.fault_id);
  return {
    drills: [...drills.values()].sort((a, b) => a.started_ms - b.started_ms),
    faults: faults.slice(Math.max(0, faults.length - max)),
  };
}

/** The drill running now (the newest, should two claim it), or null. */
export function runningDrill(state: FaultState): Drill | null {
  const running = state.drills.filter((d) => d.status === 'running');
  return running.length ? running.reduce((a, b) => (b.started_ms > a.started_ms ? b : a)) : null;
}

/** A drill's faults still going on, oldest first. */
export const activeFaults = (state: FaultState, drillId: string): FaultSpan[] =>
  state.faults.filter((f) => f.drill_id === drillId && f.end_ms === null);

/** "12 s", "1 min 05 s", "1 h 02 min": a duration as a clock-watcher says it. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

const kindKey = (prefix: string, kind: string | null): string | null =>
  kind && isKey(`${prefix}.${kind}`) ? `${prefix}.${kind}` : null;

/** What the fault does to its target: "payment-0 congelado (SIGSTOP)". */
export function faultState(f: Pick<FaultSpan, 'kind' | 'target'>, t: T): string {
  const vars = { target: f.target ?? '?', kind: f.kind ?? '?' };
  return t(kindKey('fault.state', f.kind) ?? 'fault.state.other', vars);
}

/** The banner's line: "payment-0 congelado (SIGSTOP) há 12 s". */
export const faultPhrase = (f: FaultSpan, now: number, t: T): string =>
  `${faultState(f, t)} ${t('fault.for', { age: formatDuration(now - f.start_ms) })}`;

/** A marker's short label on a chart: "payment-0 SIGSTOP". */
export function faultShort(f: Pick<FaultSpan, 'kind' | 'target'>, t: T): string {
  const vars = { target: f.target ?? '?', kind: f.kind ?? '?' };
  return t(kindKey('fault.short', f.kind) ?? 'fault.short.other', vars);
}

/** Red for what the drill did, grey for what it only saw happen (a process exiting by itself). */
export const faultColor = (f: Pick<FaultSpan, 'injected'>): string => (f.injected ? '#c62828' : '#5f6b7a');

export interface Marker {
  id: string;
  /** Where the line and the shading start and end, clipped to the chart's x domain. */
  x1: number;
  x2: number;
  /** The fault started before the chart's first point: no line at x1, only shading. */
  clippedStart: boolean;
  ongoing: boolean;
  /** Label row (0..rows-1), or null when every row is taken there: the line keeps its tooltip only. */
  row: number | null;
  /** Near the right edge the label goes left of its line, to stay inside the chart. */
  labelLeft: boolean;
  fault: FaultSpan;
}

/** The x domain of a time chart (its first and last point), or null with fewer than two. */
export function timeDomain(rows: { at: number }[]): [number, number] | null {
  if (rows.length < 2) return null;
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of rows) {
    lo = Math.min(lo, r.at);
    hi = Math.max(hi, r.at);
  }
  return hi > lo ? [lo, hi] : null;
}

/** The faults a chart over `domain` shows: each clipped to it, an open one lasting to its right edge. Each
 * label takes `labelWidth` of the chart's width beside its line, on the first of `rows` rows where it
 * overlaps no other label; when none is free it is left out rather than printed over another. */
export function chartMarkers(faults: FaultSpan[], domain: [number, number] | null, rows = 3, labelWidth = 0.2): Marker[] {
  if (!domain) return [];
  const [lo, hi] = domain;
  const width = hi - lo;
  const taken: [number, number][][] = Array.from({ length: rows }, () => []);
  const markers: Marker[] = [];
  for (const fault of [...faults].sort((a, b) => a.start_ms - b.start_ms)) {
    const end = fault.end_ms ?? hi;
    if (fault.start_ms > hi || end < lo) continue;
    const x1 = Math.max(lo, fault.start_ms);
    const clippedStart = fault.start_ms < lo;
    const at = (x1 - lo) / width;
    const labelLeft = at > 1 - labelWidth;
    const box: [number, number] = labelLeft ? [at - labelWidth, at] : [at, at + labelWidth];
    let row: number | null = null;
    if (!clippedStart) {
      const free = taken.findIndex((boxes) => boxes.every(([a, b]) => box[1] <= a || box[0] >= b));
      if (free >= 0) {
        taken[free]!.push(box);
        row = free;
      }
    }
    markers.push({ id: fault.id, x1, x2: Math.min(hi, end), clippedStart, ongoing: fault.end_ms === null, row, labelLeft, fault });
  }
  return markers;
}
