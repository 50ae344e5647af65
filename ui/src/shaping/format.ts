// Small formatting helpers shared by the panels (pure, locale-aware where it matters).
import type { DlqOrigin } from '../api/types';

export type Lang = 'pt' | 'en';

const locale = (lang: Lang) => (lang === 'pt' ? 'pt-BR' : 'en-US');

/** Events per second: "0", "0.4/s", "12/s"; one decimal below 10. */
export function formatRate(rate: number | undefined, lang: Lang = 'pt'): string {
  if (rate === undefined || !Number.isFinite(rate) || rate <= 0) return '0/s';
  const digits = rate < 10 ? 1 : 0;
  return `${rate.toLocaleString(locale(lang), { maximumFractionDigits: digits, minimumFractionDigits: digits })}/s`;
}

/** 0.934 -> "93,4%" (pt) / "93.4%" (en); null/NaN -> "—". */
export function formatPercent(ratio: number | null | undefined, lang: Lang = 'pt'): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  return `${(ratio * 100).toLocaleString(locale(lang), { maximumFractionDigits: 1 })}%`;
}

export function formatNumber(n: number | null | undefined, lang: Lang = 'pt', digits = 1): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return n.toLocaleString(locale(lang), { maximumFractionDigits: digits });
}

/** Milliseconds: "850 ms", "1,2 s", "3 min". */
export function formatMs(ms: number | null | undefined, lang: Lang = 'pt'): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${formatNumber(ms / 1000, lang, 1)} s`;
  return `${formatNumber(ms / 60_000, lang, 1)} min`;
}

export function formatSeconds(s: number | null | undefined, lang: Lang = 'pt'): string {
  return s === null || s === undefined ? '—' : formatMs(s * 1000, lang);
}

/** Wall-clock time "14:03:07". */
export function formatTime(ms: number | null | undefined, lang: Lang = 'pt'): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  return new Date(ms).toLocaleTimeString(locale(lang), { hour12: false });
}

export function formatDateTime(ms: number | null | undefined, lang: Lang = 'pt'): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  return new Date(ms).toLocaleString(locale(lang), { hour12: false });
}

export function formatMoney(v: number | string | null | undefined, lang: Lang = 'pt'): string {
  const n = typeof v === 'string' ? Number(v) : v;
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return n.toLocaleString(locale(lang), { style: 'currency', currency: 'BRL' });
}

/** Kafka coordinates as taught: "orders.new[3]@1234". */
export function coords(topic: string, partition: number, offset?: number): string {
  return offset === undefined ? `${topic}[${partition}]` : `${topic}[${partition}]@${offset}`;
}

export function originCoords(origin: DlqOrigin | null | undefined): string {
  return origin ? coords(origin.topic, origin.partition, origin.offset) : '—';
}

/** First 8 characters of an id, for dense tables. */
export function shortId(id: string | null | undefined, n = 8): string {
  if (!id) return '—';
  return id.length > n ? `${id.slice(0, n)}…` : id;
}
