import { describe, expect, it } from 'vitest';
import { DICTIONARIES, isKey, loadLang, saveLang, STORAGE_KEY, translate } from './i18n';

const memory = () => {
  const data = new Map<string, string>();
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v) };
};

describe('i18n', () => {
  it('has the same keys, all non-empty, in both languages', () => {
    expect(Object.keys(DICTIONARIES.en).sort()).toEqual(Object.keys(DICTIONARIES.pt).sort());
    for (const lang of ['pt', 'en'] as const) {
      for (const [k, v] of Object.entries(DICTIONARIES[lang])) expect(v.trim(), `${lang}:${k}`).not.toBe('');
    }
  });
  it('uses the same placeholders in both languages', () => {
    const vars = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const k of Object.keys(DICTIONARIES.pt)) {
      expect(vars(DICTIONARIES.en[k as keyof typeof DICTIONARIES.en]), k).toEqual(vars(DICTIONARIES.pt[k as keyof typeof DICTIONARIES.pt]));
    }
  });
  it('translates and interpolates', () => {
    expect(translate('pt', 'dropped', { n: 3 })).toBe('descartados por lentidão: 3');
    expect(translate('en', 'banner.countdown', { s: 2 })).toBe('Disconnected from the gateway — reconnecting in 2s…');
    expect(translate('pt', 'tab.kafka')).toBe('Kafka por dentro');
    expect(translate('en', 'no.such.key')).toBe('no.such.key');
    expect(isKey('tab.flow')).toBe(true);
  });
  it('defaults to pt and remembers the choice', () => {
    const storage = memory();
    expect(loadLang(storage)).toBe('pt');
    saveLang(storage, 'en');
    expect(storage.getItem(STORAGE_KEY)).toBe('en');
    expect(loadLang(storage)).toBe('en');
    expect(loadLang(null)).toBe('pt');
  });
});
