// Fetch helpers for the gateway's HTTP API (same origin: /api/..., /orders).
import type {
  ApiErrorBody,
  Catalog,
  CheckoutAccepted,
  CheckoutRequest,
  Cluster,
  ClusterHistory,
  DlqRecord,
  Faults,
  Indicators,
  KafkaEvent,
  OrderDetail,
  OrdersResponse,
  ReportSummary,
  Traffic,
  Xray,
} from './types';
import { ordersQuery, type OrderFilters } from '../shaping/orders';
import type { AlertsResponse } from './alerts';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.error ?? `HTTP ${status}`);
  }
}

type Fetch = typeof fetch;
let fetchImpl: Fetch = (...args) => fetch(...args);

/** Tests may replace the fetch implementation. */
export function setFetch(impl: Fetch): void {
  fetchImpl = impl;
}

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetchImpl(path, {
    ...init,
    headers: { Accept: 'application/json', ...(init?.headers ?? {}) },
  });
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = { error: text.slice(0, 200) };
  }
  if (!response.ok) throw new HttpError(response.status, (body ?? {}) as ApiErrorBody);
  return body as T;
}

export const getJson = <T>(path: string) => request<T>(path);

export const api = {
  recentEvents: (limit = 200) =>
    getJson<{ events: KafkaEvent[] }>(`/api/events/recent?limit=${limit}`).then((r) => r.events),
  orders: (filters: OrderFilters) => getJson<OrdersResponse>(`/api/orders${ordersQuery(filters)}`),
  order: (orderId: string) => getJson<OrderDetail>(`/api/orders/${encodeURIComponent(orderId)}`),
  cluster: () => getJson<Cluster>('/api/cluster'),
  clusterHistory: () => getJson<ClusterHistory>('/api/cluster/history'),
  indicators: () => getJson<Indicators>('/api/indicators'),
  xray: (topic: string, partition: number, limit = 50) =>
    getJson<Xray>(
      `/api/xray?topic=${encodeURIComponent(topic)}&partition=${partition}&limit=${limit}`,
    ),
  faults: (query: FaultsQuery = {}) => getJson<Faults>(`/api/faults${faultsQuery(query)}`),
  alerts: () => getJson<AlertsResponse>('/api/alerts'),
  dlq: (limit = 100) => getJson<{ records: DlqRecord[] }>(`/api/dlq?limit=${limit}`).then((r) => r.records),
  catalog: () => getJson<Catalog>('/api/catalog'),
  reports: () => getJson<{ reports: ReportSummary[] }>('/api/reports').then((r) => r.reports),
  traffic: () => getJson<Traffic>('/api/traffic'),
  setTraffic: (rate: number) =>
    request<Traffic>('/api/traffic', {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ rate }),
    }),
  checkout: (order: CheckoutRequest, idempotencyKey: string) =>
    request<CheckoutAccepted>('/orders', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey },
      body: JSON.stringify(order),
    }),
};

export interface FaultsQuery {
  since_ms?: number;
  until_ms?: number;
  order_id?: string;
}

/** `?since_ms=..&until_ms=..&order_id=..` with only the parts given. */
export function faultsQuery(query: FaultsQuery): string {
  const parts = Object.entries(query)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${k}=${encodeURIComponent(typeof v === 'number' ? Math.floor(v) : String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

/** A report's PNG; the creation time in the query makes a newer run's chart bypass the browser's cache. */
export function reportChartUrl(report: Pick<ReportSummary, 'kind' | 'created_at'>): string {
  return `/api/reports/${encodeURIComponent(report.kind)}.png?v=${encodeURIComponent(report.created_at)}`;
}

/** A fresh Idempotency-Key; falls back when crypto.randomUUID is missing (plain-http non-localhost). */
export function newIdempotencyKey(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const hex = Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}

/** The WebSocket URL on the same origin (ws:// or wss://). */
export function socketUrl(loc: { protocol: string; host: string } = window.location): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/ws`;
}
