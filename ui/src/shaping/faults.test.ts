import { describe, expect, it } from 'vitest';
import { translate, type T } from '../i18n';
import { drill, span } from '../test/fixtures';
import {
  activeFaults,
  chartMarkers,
  emptyFaults,
  faultPhrase,
  faultShort,
  formatDuration,
  mergeFaults,
  runningDrill,
  timeDomain,
} from './faults';

const T0 = 1_800_000_000_000;
const pt: T = (k, v) => translate('pt', k, v);
const en: T = (k, v) => translate('en', k, v);

describe('fault state', () => {
  it('folds newer copies in: a span heals, a drill ends, the rest stays, sorted by start', () => {
    let state = mergeFaults(emptyFaults(), { drills: [drill()], faults: [span({ fault_id: 2, start_ms: T0 + 20_000 }), span()] });
    expect(state.faults.map((f) => f.fault_id)).toEqual([1, 2]);
    state = mergeFaults(state, {
      drills: [drill({ status: 'ended', ended_ms: T0 + 60_000 })],
      faults: [span({ end_ms: T0 + 25_000, ended_by: 'healed' })],
    });
    expect(state.faults.map((f) => f.end_ms)).toEqual([T0 + 25_000, null]);
    expect(state.drills).toHaveLength(1);
    expect(runningDrill(state)).toBeNull();
  });
  it('keeps only the newest spans past the cap', () => {
    const many = Array.from({ length: 5 }, (_, i) => span({ fault_id: i + 1, start_ms: T0 + i }));
    expect(mergeFaults(emptyFaults(), { drills: [], faults: many }, 3).faults.map((f) => f.fault_id)).toEqual([3, 4, 5]);
  });
  it('the running drill is the newest one running; its active faults are the open ones', () => {
    const state = mergeFaults(emptyFaults(), {
      drills: [drill({ drill_id: 'a', started_ms: T0 }), drill({ drill_id: 'b', started_ms: T0 + 5 }), drill({ drill_id: 'c', status: 'ended', started_ms: T0 + 9 })],
      faults: [span({ drill_id: 'b' }), span({ drill_id: 'b', fault_id: 2, end_ms: T0 + 12_000 }), span({ drill_id: 'a', fault_id: 3 })],
    });
    expect(runningDrill(state)?.drill_id).toBe('b');
    expect(activeFaults(state, 'b').map((f) => f.fault_id)).toEqual([1]);
  });
});

describe('fault words', () => {
  it('says how long, the way a clock-watcher does', () => {
    expect(formatDuration(12_400)).toBe('12 s');
    expect(formatDuration(65_000)).toBe('1 min 05 s');
    expect(formatDuration(3_720_000)).toBe('1 h 02 min');
    expect(formatDuration(-5)).toBe('0 s');
  });
  it('tells the banner what a fault does, pt first then en', () => {
    const f = span({ start_ms: T0 });
    expect(faultPhrase(f, T0 + 12_000, pt)).toBe('payment-0 congelado (SIGSTOP) há 12 s');
    expect(faultPhrase(f, T0 + 12_000, en)).toBe('payment-0 frozen (SIGSTOP) for 12 s');
    expect(faultPhrase(span({ kind: 'db-outage', target: 'postgres' }), T0 + 70_000, pt)).toBe('PostgreSQL fora do ar há 1 min 00 s');
  });
  it('labels markers short, and an unknown kind by its name', () => {
    expect(faultShort(span({ kind: 'sigkill', target: 'inventory-0' }), pt)).toBe('inventory-0 SIGKILL');
    expect(faultShort(span({ kind: 'poison', target: '3 tópicos / topics' }), en)).toBe('poison');
    expect(faultShort(span({ kind: 'meteor', target: 'dc-1' }), en)).toBe('dc-1 meteor');
  });
});

describe('chart markers', () => {
  const rows = [{ at: T0 }, { at: T0 + 50_000 }, { at: T0 + 100_000 }];
  it('the domain is the first and last point; fewer than two points draw nothing', () => {
    expect(timeDomain(rows)).toEqual([T0, T0 + 100_000]);
    expect(timeDomain([{ at: T0 }])).toBeNull();
    expect(chartMarkers([span()], null)).toEqual([]);
  });
  it('clips spans to the domain, lets an open one run to the right edge and drops what is outside', () => {
    const markers = chartMarkers(
      [
        span({ fault_id: 1, start_ms: T0 - 20_000, end_ms: T0 + 10_000 }),
        span({ fault_id: 2, start_ms: T0 + 60_000, end_ms: null }),
        span({ fault_id: 3, start_ms: T0 - 90_000, end_ms: T0 - 80_000 }),
        span({ fault_id: 4, start_ms: T0 + 200_000, end_ms: null }),
      ],
      timeDomain(rows),
    );
    expect(markers.map((m) => [m.fault.fault_id, m.x1, m.x2, m.clippedStart, m.ongoing])).toEqual([
      [1, T0, T0 + 10_000, true, false],
      [2, T0 + 60_000, T0 + 100_000, false, true],
    ]);
  });
  it('puts labels of faults close in time on different rows, and leaves out what has no room', () => {
    const at = [0, 2_000, 4_000, 60_000, 6_000, 95_000];
    const close = at.map((d, i) => span({ fault_id: i + 1, start_ms: T0 + d, end_ms: T0 + d }));
    const markers = chartMarkers(close, [T0, T0 + 100_000], 3, 0.2);
    expect(markers.map((m) => [m.fault.fault_id, m.row, m.labelLeft])).toEqual([
      [1, 0, false],
      [2, 1, false],
      [3, 2, false],
      [5, null, false], // three labels already cover that stretch: the line stays, unlabelled
      [4, 0, false],
      [6, 1, true], // by the right edge, written leftwards (0.75..0.95): meets row 0's 0.6..0.8, so row 1
    ]);
  });
});
