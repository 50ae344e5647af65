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

export type ServerMessage = EventsMessage | StatsMessage | ClusterMessage | IndicatorsMessage;

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

export interface Narration {
  pt: string;
  en: string;
}

export interface TimelineEvent extends KafkaEvent {
  lane: string;
  transaction: string;
  broker_ms: number | null;
  service_ms: number | null;
  narration: Narration;
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

export interface ReportSummary {
  kind: string;
  title: { pt: string; en: string };
  created_at: string;
  command: string | null;
  has_chart: boolean;
  conclusion: { pt: string; en: string | null } | null;
  table: { columns: string[]; rows: ReportCell[][] };
}
