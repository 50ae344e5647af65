// Types mirroring gateway/telemetry/API.md. Times are epoch milliseconds unless the name says otherwise.

export interface KafkaEvent {
  topic: string;
  partition: number;
  offset: number;
  order_id: string;
  event_type: string;
  event_id: string;
  correlation_id: string;
  causation_id: string | null;
  producer: string;
  timestamp: number;
  occurred_at: number;
  seen_at: number;
  payload: Record<string, unknown>;
}

export interface EventsMessage {
  type: 'events';
  events: KafkaEvent[];
  dropped: number;
}

export interface StatsMessage {
  type: 'stats';
  at: number;
  rates: Record<string, number>;
  clients: number;
  dropped_total: number;
}

export interface PartitionInfo {
  partition: number;
  low: number;
  high: number;
  lso: number;
}

export interface TopicInfo {
  name: string;
  partitions: PartitionInfo[];
}

export interface GroupMember {
  member: string;
  partitions: string[];
}

export interface GroupPartition {
  topic: string;
  partition: number;
  committed: number;
  lag: number;
  lag_seconds: number;
}

export interface ConsumerGroup {
  group: string;
  state: string;
  members: GroupMember[];
  partitions: GroupPartition[];
}

export interface ProcessorInfo {
  name: string;
  instance: number;
  up: boolean;
  assigned: number;
  committed: number;
  aborted: number;
  consumed: number;
  produced: number;
  dead_lettered: number;
}

export interface Rebalance {
  at: number;
  group: string;
  members: string[];
  reason: string;
}

export interface Cluster {
  at: number;
  topics: TopicInfo[];
  groups: ConsumerGroup[];
  processors: ProcessorInfo[];
  rebalances: Rebalance[];
}

export interface ClusterMessage extends Cluster {
  type: 'cluster';
}

export interface LagPoint {
  at: number;
  lag: Record<string, number>;
  lag_seconds: Record<string, number>;
}

export interface ClusterHistory {
  points: LagPoint[];
}

export interface StageLatency {
  p50: number;
  p95: number;
  p99: number;
}

export type StageName = 'payment' | 'inventory' | 'confirmation' | 'end_to_end';

export interface SeriesPoint {
  at: number;
  placed: number;
  confirmed: number;
  cancelled: number;
  dead_lettered: number;
}

export interface Indicators {
  at: number;
  window_s: number;
  orders_per_min: number;
  success_rate: number;
  payment_approval_rate: number;
  stock_failures: number;
  dlq_per_min: number;
  stages: Partial<Record<StageName, StageLatency>>;
  series: SeriesPoint[];
}

export interface IndicatorsMessage extends Indicators {
  type: 'indicators';
}

/** API.md "drill faults": a `pedidos chaos` run, from drill-started to drill-ended. */
export interface Drill {
  drill_id: string;
  scenario: string | null;
  /** running: no drill-ended yet; abandoned: a newer drill started, or an hour passed, without its end. */
  status: 'running' | 'ended' | 'abandoned';
  started_ms: number;
  ended_ms: number | null;
  detail: string | null;
  verdict: string | null;
  last_ms: number;
  faults: number;
  active: number;
}

/** One fault, from its injection to its healing; `end_ms` null while it lasts. */
export interface FaultSpan {
  id: string;
  drill_id: string;
  scenario: string | null;
  fault_id: number;
  kind: string | null;
  target: string | null;
  detail: string | null;
  /** false: something the drill saw happen (a process that exited), not something it did. */
  injected: boolean;
  start_ms: number;
  end_ms: number | null;
  start_t_s: number | null;
  end_t_s: number | null;
  ended_by: 'healed' | 'instant' | 'drill-ended' | 'drill-lost' | null;
}

/** A failing record's step to a retry topic or to the DLQ. */
export interface RetryHop {
  topic: string;
  partition: number;
  offset: number;
  order_id: string | null;
  timestamp: number;
  stage: 'retry' | 'dlq';
  delay_s: number | null;
  due_ms: number | null;
  attempt: number | null;
  error_class: string | null;
  error: string | null;
  origin: { topic: string; partition: number | null; offset: number | null } | null;
  processor: string | null;
}

export interface Faults {
  at: number;
  drills: Drill[];
  faults: FaultSpan[];
  retries?: RetryHop[];
  /** GET /api/faults only: records on chaos.faults this gateway skipped (not fault records). */
  skipped?: number;
}

export interface FaultsMessage extends Faults {
  type: 'faults';
}

export type ServerMessage = EventsMessage | StatsMessage | ClusterMessage | IndicatorsMessage | FaultsMessage;

export interface OrderRow {
  order_id: string;
  customer_id: string | null;
  status: string;
  total_amount: number | string | null;
  created_at: number;
  updated_at: number;
}

export interface OrdersResponse {
  orders: OrderRow[];
  counts: Record<string, number>;
}

export interface TimelineEvent extends KafkaEvent {
  lane: string;
  transaction: string;
  broker_ms: number | null;
  service_ms: number | null;
  /** The cause's record timestamp → this event's: the time the step took (null for the first event). */
  step_ms: number | null;
}

export interface OrderDetail {
  order: OrderRow;
  timeline: TimelineEvent[];
}

export type XrayState = 'committed' | 'aborted' | 'open';

export interface XrayRecord {
  offset: number;
  key: string | null;
  timestamp: number;
  committed: boolean;
  state: XrayState;
}

export interface Xray {
  topic: string;
  partition: number;
  low: number;
  high: number;
  lso: number;
  records: XrayRecord[];
  markers: number[];
}

export interface DlqOrigin {
  topic: string;
  partition: number;
  offset: number;
}

export interface DlqRecord {
  topic: string;
  partition: number;
  offset: number;
  order_id: string | null;
  reason: string;
  detail: string;
  processor: string;
  origin: DlqOrigin | null;
  timestamp: number;
}

export interface Product {
  product_id: string;
  name: string;
  price: number | string;
}

export interface Customer {
  customer_id: string;
  name: string;
}

export interface Catalog {
  products: Product[];
  customers: Customer[];
}

export interface Traffic {
  rate: number;
}

export interface CheckoutItem {
  product_id: string;
  quantity: number;
}

export interface CheckoutRequest {
  customer_id: string;
  items: CheckoutItem[];
}

export interface CheckoutAccepted {
  order_id: string;
  status: string;
  [extra: string]: unknown;
}

/** API.md: `{"error","field","reason"}`; the existing checkout also sends `fields: [{field, reason}]`. */
export interface ApiErrorBody {
  error?: string;
  field?: string;
  reason?: string;
  fields?: { field: string; reason: string }[];
}

/** API.md `GET /api/reports`: the latest result of each benchmark, lab or drill (tools/reports.py's shape). */
export type ReportCell = string | number | null;

/** A text in both languages, as tools/text.py's `Text` writes it; an older file may lack the English. */
export interface Bilingual {
  pt: string;
  en: string | null;
}

export interface ReportSummary {
  kind: string;
  title: Bilingual;
  created_at: string;
  command: string | null;
  has_chart: boolean;
  conclusion: Bilingual | null;
  table: { columns: string[]; rows: ReportCell[][] };
}
