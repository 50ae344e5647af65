import { describe, expect, it } from 'vitest';
import { DICTIONARIES, isKey } from '../i18n';
import { report as sample } from '../test/fixtures';
import { ageKey, conclusionOf, createdMs, explainKey, formatCell, KNOWN_KINDS, SUGGESTED_COMMANDS, titleOf } from './reports';

describe('reports shaping', () => {
  it('explains every known kind in both languages and falls back for the others', () => {
    for (const kind of KNOWN_KINDS) {
      const key = explainKey(kind);
      expect(isKey(key), key).toBe(true);
      expect(DICTIONARIES.en[key as keyof typeof DICTIONARIES.en]).not.toBe(DICTIONARIES.pt[key as keyof typeof DICTIONARIES.pt]);
    }
    expect(explainKey('chaos-broker-restart')).toBe('results.kind.other');
    expect(explainKey('../load')).toBe('results.kind.other');
  });
  it('every suggested command has its description and starts with pedidos', () => {
    for (const c of SUGGESTED_COMMANDS) {
      expect(isKey(c.key), c.key).toBe(true);
      expect(c.command.startsWith('pedidos ')).toBe(true);
    }
  });
  it('formats cells in the reader locale, null as a dash, text as is', () => {
    expect(formatCell(1234.5, 'pt')).toBe('1.235');
    expect(formatCell(12.345, 'pt')).toBe('12,35');
    expect(formatCell(12.345, 'en')).toBe('12.35');
    expect(formatCell(null, 'en')).toBe('—');
    expect(formatCell('FALHOU / FAILED', 'pt')).toBe('FALHOU / FAILED');
  });
  it('picks title and conclusion by language, pt when English is missing', () => {
    expect(titleOf(sample(), 'en')).toBe('Dashboard fan-out');
    expect(titleOf(sample(), 'pt')).toBe('Fan-out do painel');
    expect(conclusionOf(sample({ conclusion: { pt: 'só pt', en: null } }), 'en')).toBe('só pt');
    expect(conclusionOf(sample({ conclusion: null }), 'pt')).toBeNull();
  });
  it('reads created_at and tells its age', () => {
    const at = createdMs(sample());
    expect(at).toBe(Date.UTC(2026, 10, 23, 15, 0, 0));
    expect(createdMs(sample({ created_at: 'ontem' }))).toBeNull();
    expect(ageKey(at!, at! + 20_000)).toEqual({ key: 'results.age.now', n: 0 });
    expect(ageKey(at!, at! + 5 * 60_000)).toEqual({ key: 'results.age.min', n: 5 });
    expect(ageKey(at!, at! + 3 * 3_600_000)).toEqual({ key: 'results.age.h', n: 3 });
    expect(ageKey(at!, at! + 72 * 3_600_000)).toEqual({ key: 'results.age.d', n: 3 });
    expect(ageKey(at!, at! - 60_000)).toEqual({ key: 'results.age.now', n: 0 }); // a clock a bit behind
  });
});
