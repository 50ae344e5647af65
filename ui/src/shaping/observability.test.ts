import { describe, expect, it } from 'vitest';
import type { ObsSeries } from '../api/observability';
import { chartData, formatValue, latestValues, timeTicks } from './observability';

const series = (legend: string, points: [number, number | null][], en = legend): ObsSeries => ({
  query: 0,
  labels: {},
  legend: { pt: legend, en },
  points,
});

describe('observability shaping', () => {
  it('merges series into one row per timestamp, sorted, null where a series has no value', () => {
    const data = chartData(
      [
        series('aceitos', [[2000, 3], [1000, 1]], 'accepted'),
        series('confirmed', [[1000, 5], [3000, null]]),
      ],
      'en',
      1000,
    );
    expect(data.lines).toEqual([
      { key: 's0', name: 'accepted' },
      { key: 's1', name: 'confirmed' },
    ]);
    expect(data.rows).toEqual([
      { at: 1000, s0: 1, s1: 5 },
      { at: 2000, s0: 3, s1: null },
      { at: 3000, s0: null, s1: null },
    ]);
  });
  it('breaks the lines where Prometheus left steps out (no sample: a stopped target)', () => {
    const data = chartData([series('up', [[0, 1], [15_000, 1], [90_000, 1]])], 'pt', 15_000);
    expect(data.rows.map((r) => [r.at, r.s0])).toEqual([
      [0, 1],
      [15_000, 1],
      [30_000, null],
      [90_000, 1],
    ]);
  });
  it('names a series by its labels when the legend names a label it lacks', () => {
    const unnamed = { ...series('', [[1, 1]]), labels: { topic: 'orders.new' } };
    expect(chartData([unnamed, series('', [[1, 2]])], 'pt', 1000).lines.map((l) => l.name)).toEqual(['orders.new', 'total']);
  });
  it('spreads the time ticks over the whole range', () => {
    expect(timeTicks(0, 900_000, 4)).toEqual([0, 300_000, 600_000, 900_000]);
    expect(timeTicks(5, 5)).toEqual([5]);
  });
  it('is empty without series', () => {
    expect(chartData([], 'pt', 1000)).toEqual({ rows: [], lines: [] });
  });
  it('takes the last non-null value of each series for a stat', () => {
    expect(latestValues([series('offline', [[1, 0], [2, 2], [3, null]]), series('x', [])], 'pt')).toEqual([
      { name: 'offline', value: 2 },
      { name: 'x', value: null },
    ]);
  });
  it('formats each unit as a person reads it, pt-BR first', () => {
    expect(formatValue(0.042, 's', 'pt')).toBe('42 ms');
    expect(formatValue(2.5, 's', 'pt')).toBe('2,5 s');
    expect(formatValue(93.44, '%', 'pt')).toBe('93,4%');
    expect(formatValue(93.44, '%', 'en')).toBe('93.4%');
    expect(formatValue(1536, 'bytes/s', 'en')).toBe('1.5 KB/s');
    expect(formatValue(0.5, 'ops/s', 'en')).toBe('0.5/s');
    expect(formatValue(120, 'ops/min', 'pt')).toBe('120/min');
    expect(formatValue(3, 'count', 'pt')).toBe('3');
    expect(formatValue(null, 'records', 'pt')).toBe('—');
  });
});
