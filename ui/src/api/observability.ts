// The Observability tab's API (gateway/observability/api.py): panel definitions and each panel's series,
// which the gateway asks Prometheus for by panel id (the browser never sends PromQL).
import { getJson } from './client';

export type ObsLang = 'pt' | 'en';
export type Bilingual = Record<ObsLang, string>;
export type ObsUnit = 'ops/s' | 'ops/min' | 's' | 'records' | 'bytes/s' | '%' | 'count';
export type ObsKind = 'line' | 'area' | 'stat';
export type ObsRange = '15m' | '1h' | '6h';

export interface ObsPanelDef {
  id: string;
  title: Bilingual;
  unit: ObsUnit;
  kind: ObsKind;
  per_service: boolean;
  queries: { expr: string; legend: Bilingual }[];
  explain: Bilingual;
}

export interface ObsPanels {
  panels: ObsPanelDef[];
  services: string[];
  ranges: ObsRange[];
}

export interface ObsSeries {
  query: number;
  labels: Record<string, string>;
  legend: Bilingual;
  /** [epoch ms, value]; null where Prometheus had NaN/Inf (a gap). */
  points: [number, number | null][];
}

export interface ObsData {
  panel: string;
  range: ObsRange;
  service: string | null;
  step_s: number;
  start_ms: number;
  end_ms: number;
  series: ObsSeries[];
}

export const observabilityApi = {
  panels: () => getJson<ObsPanels>('/api/observability/panels'),
  query: (panel: string, range: ObsRange, service: string | null) =>
    getJson<ObsData>(
      `/api/observability/query?panel=${encodeURIComponent(panel)}&range=${range}` +
        (service ? `&service=${encodeURIComponent(service)}` : ''),
    ),
};
