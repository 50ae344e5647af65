// pt-BR first, English second. `useI18n()` gives { lang, setLang, t }; the choice is kept in localStorage.
import { createContext, createElement, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { en } from './locales/en';
import { pt } from './locales/pt';

export type Lang = 'pt' | 'en';
export type Key = keyof typeof pt;
export type Vars = Record<string, string | number>;

export const DICTIONARIES: Record<Lang, Record<Key, string>> = { pt, en };
export const STORAGE_KEY = 'pedidos.lang';

export function isKey(key: string): key is Key {
  return Object.prototype.hasOwnProperty.call(pt, key);
}

/** Looks a key up and fills `{name}` placeholders; unknown keys come back as they are. */
export function translate(lang: Lang, key: Key | string, vars?: Vars): string {
  const text = isKey(key) ? DICTIONARIES[lang][key] : key;
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** pt unless the user picked en before. */
export function loadLang(storage: StorageLike | null | undefined): Lang {
  try {
    return storage?.getItem(STORAGE_KEY) === 'en' ? 'en' : 'pt';
  } catch {
    return 'pt';
  }
}

export function saveLang(storage: StorageLike | null | undefined, lang: Lang): void {
  try {
    storage?.setItem(STORAGE_KEY, lang);
  } catch {
    // Private mode or storage disabled: the choice just is not remembered.
  }
}

export type T = (key: Key | string, vars?: Vars) => string;

interface I18n {
  lang: Lang;
  setLang(lang: Lang): void;
  t: T;
}

const I18nContext = createContext<I18n>({ lang: 'pt', setLang: () => undefined, t: (k, v) => translate('pt', k, v) });

const browserStorage = (): StorageLike | null => (typeof localStorage === 'undefined' ? null : localStorage);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(() => loadLang(browserStorage()));
  const setLang = useCallback((next: Lang) => {
    saveLang(browserStorage(), next);
    document.documentElement.lang = next === 'pt' ? 'pt-BR' : 'en';
    setLangState(next);
  }, []);
  const value = useMemo<I18n>(() => ({ lang, setLang, t: (k, v) => translate(lang, k, v) }), [lang, setLang]);
  return createElement(I18nContext.Provider, { value }, children);
}

export const useI18n = (): I18n => useContext(I18nContext);

/** The `t(key)` hook. */
export const useT = (): T => useContext(I18nContext).t;
