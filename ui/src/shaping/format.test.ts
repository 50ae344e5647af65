import { describe, expect, it } from 'vitest';
import { coords, formatMoney, formatMs, formatPercent, formatRate, originCoords, shortId } from './format';

describe('format', () => {
  it('formats rates with one decimal below 10/s', () => {
    expect(formatRate(undefined)).toBe('0/s');
    expect(formatRate(0)).toBe('0/s');
    expect(formatRate(0.44, 'en')).toBe('0.4/s');
    expect(formatRate(2.5, 'pt')).toBe('2,5/s');
    expect(formatRate(123.4, 'en')).toBe('123/s');
  });
  it('formats percentages per language', () => {
    expect(formatPercent(0.934, 'en')).toBe('93.4%');
    expect(formatPercent(0.934, 'pt')).toBe('93,4%');
    expect(formatPercent(null)).toBe('—');
  });
  it('formats durations', () => {
    expect(formatMs(850)).toBe('850 ms');
    expect(formatMs(1200, 'en')).toBe('1.2 s');
    expect(formatMs(120_000, 'en')).toBe('2 min');
    expect(formatMs(null)).toBe('—');
  });
  it('writes Kafka coordinates as topic[partition]@offset', () => {
    expect(coords('orders.new', 3, 1234)).toBe('orders.new[3]@1234');
    expect(coords('orders.new', 3)).toBe('orders.new[3]');
    expect(originCoords({ topic: 'payments.confirmed', partition: 1, offset: 7 })).toBe('payments.confirmed[1]@7');
    expect(originCoords(null)).toBe('—');
  });
  it('formats money as BRL and accepts decimal strings', () => {
    expect(formatMoney('10.5', 'en')).toContain('10.50');
    expect(formatMoney(null)).toBe('—');
  });
  it('shortens ids', () => {
    expect(shortId('0123456789')).toBe('01234567…');
    expect(shortId('abc')).toBe('abc');
    expect(shortId(null)).toBe('—');
  });
});
