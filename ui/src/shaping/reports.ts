// The Results tab's data shaping: which text explains each kind, how cells and ages read. Pure functions.
import type { Bilingual, ReportCell, ReportSummary } from '../api/types';
import { formatNumber, type Lang } from './format';

/** Kinds with their own explanation; any other kind gets the generic one. */
export const KNOWN_KINDS = ['load', 'bench-telemetry', 'bench-producer', 'bench-pipeline', 'lab-acks', 'chaos-kill'] as const;

/** What to run when there is nothing to show yet (the i18n key says what each one measures). */
export const SUGGESTED_COMMANDS: { command: string; key: string }[] = [
  { command: 'pedidos load --rate 50 --duration 30', key: 'results.empty.load' },
  { command: 'pedidos bench telemetry', key: 'results.empty.telemetry' },
  { command: 'pedidos bench producer', key: 'results.empty.producer' },
  { command: 'pedidos bench pipeline', key: 'results.empty.pipeline' },
  { command: 'pedidos lab acks', key: 'results.empty.acks' },
  { command: 'pedidos chaos kill --processor payment --at after-produce', key: 'results.empty.chaos' },
];

export function explainKey(kind: string): string {
  return (KNOWN_KINDS as readonly string[]).includes(kind) ? `results.kind.${kind}` : 'results.kind.other';
}

/** The reader's language, pt-BR when the English is missing. */
export function inLang(text: Bilingual, lang: Lang): string {
  return (lang === 'en' ? text.en : text.pt) || text.pt;
}

export function titleOf(report: ReportSummary, lang: Lang): string {
  return inLang(report.title, lang) || report.kind;
}

export function conclusionOf(report: ReportSummary, lang: Lang): string | null {
  return report.conclusion ? inLang(report.conclusion, lang) : null;
}

/** Numbers in the reader's locale (at most two decimals, as the command line prints them); null as a dash. */
export function formatCell(cell: ReportCell, lang: Lang): string {
  if (cell === null || cell === undefined) return '—';
  if (typeof cell === 'number') return formatNumber(cell, lang, Math.abs(cell) < 100 ? 2 : 0);
  return cell;
}

export const isNumeric = (cell: ReportCell): boolean => typeof cell === 'number';

/** created_at (ISO 8601 with offset) in epoch ms; null when unreadable. */
export function createdMs(report: Pick<ReportSummary, 'created_at'>): number | null {
  const ms = Date.parse(report.created_at);
  return Number.isFinite(ms) ? ms : null;
}

/** "agora", "há 5 min", "há 3 h", "há 2 dias" as an i18n key and its number. */
export function ageKey(createdAtMs: number, nowMs: number): { key: string; n: number } {
  const minutes = Math.max(0, Math.floor((nowMs - createdAtMs) / 60_000));
  if (minutes < 1) return { key: 'results.age.now', n: 0 };
  if (minutes < 60) return { key: 'results.age.min', n: minutes };
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return { key: 'results.age.h', n: hours };
  return { key: 'results.age.d', n: Math.floor(hours / 24) };
}
