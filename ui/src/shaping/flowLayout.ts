// The order pipeline as a fixed diagram (docs/architecture.md §3): services, topics and the edges between
// them, in SVG user units. Pure data plus geometry helpers.

export const FLOW_WIDTH = 1000;
export const FLOW_HEIGHT = 530;

export type NodeKind = 'service' | 'topic';

export interface FlowNode {
  id: string;
  kind: NodeKind;
  x: number;
  y: number;
}

export interface FlowEdge {
  from: string;
  to: string;
  /** produce = service writes to topic; consume = service reads from topic. */
  kind: 'produce' | 'consume';
}

export const SERVICES = ['gateway', 'payment', 'inventory', 'orchestrator', 'notification'] as const;

const node = (id: string, kind: NodeKind, x: number, y: number): FlowNode => ({ id, kind, x, y });

export const FLOW_NODES: FlowNode[] = [
  node('gateway', 'service', 70, 110),
  node('payment', 'service', 370, 110),
  node('inventory', 'service', 720, 110),
  node('orchestrator', 'service', 540, 440),
  node('notification', 'service', 890, 450),
  node('orders.new', 'topic', 215, 110),
  node('payments.requested', 'topic', 540, 40),
  node('payments.confirmed', 'topic', 540, 110),
  node('payments.failed', 'topic', 540, 180),
  node('payments.refunded', 'topic', 540, 250),
  node('payments.refund-requested', 'topic', 370, 320),
  node('inventory.reserved', 'topic', 890, 40),
  node('inventory.failed', 'topic', 890, 110),
  node('inventory.released', 'topic', 890, 180),
  node('inventory.release-requested', 'topic', 720, 320),
  node('orders.confirmed', 'topic', 720, 410),
  node('orders.cancelled', 'topic', 720, 485),
  node('notifications.events', 'topic', 890, 340),
];

const produce = (from: string, ...topics: string[]): FlowEdge[] =>
  topics.map((to) => ({ from, to, kind: 'produce' }));
const consume = (service: string, ...topics: string[]): FlowEdge[] =>
  topics.map((from) => ({ from, to: service, kind: 'consume' }));

export const FLOW_EDGES: FlowEdge[] = [
  ...produce('gateway', 'orders.new'),
  ...produce('payment', 'payments.requested', 'payments.confirmed', 'payments.failed', 'payments.refunded'),
  ...produce('inventory', 'inventory.reserved', 'inventory.failed', 'inventory.released'),
  ...produce(
    'orchestrator',
    'payments.refund-requested',
    'inventory.release-requested',
    'orders.confirmed',
    'orders.cancelled',
  ),
  ...produce('notification', 'notifications.events'),
  ...consume('payment', 'orders.new', 'payments.refund-requested'),
  ...consume('inventory', 'payments.confirmed', 'inventory.release-requested'),
  ...consume(
    'orchestrator',
    'orders.new',
    'payments.requested',
    'payments.confirmed',
    'payments.failed',
    'payments.refunded',
    'inventory.reserved',
    'inventory.failed',
    'inventory.released',
  ),
  ...consume('notification', 'orders.confirmed', 'orders.cancelled'),
];

const BY_ID = new Map(FLOW_NODES.map((n) => [n.id, n]));

export const nodeById = (id: string): FlowNode | undefined => BY_ID.get(id);

export const FLOW_TOPICS = FLOW_NODES.filter((n) => n.kind === 'topic').map((n) => n.id);

export const edgeId = (e: FlowEdge): string => `${e.from}->${e.to}`;

/** The produce edge an event travels: its `producer` -> its `topic`; falls back to the topic's
 * declared producer when the event names another one; null for topics not on the diagram. */
export function edgeForEvent(producer: string, topic: string): FlowEdge | null {
  const produces = FLOW_EDGES.filter((e) => e.kind === 'produce' && e.to === topic);
  return produces.find((e) => e.from === producer) ?? produces[0] ?? null;
}

/** Linear interpolation along an edge, t in [0, 1] (clamped). */
export function pointAlong(edge: FlowEdge, t: number): { x: number; y: number } {
  const a = BY_ID.get(edge.from);
  const b = BY_ID.get(edge.to);
  if (!a || !b) return { x: 0, y: 0 };
  const k = Math.min(1, Math.max(0, t));
  return { x: a.x + (b.x - a.x) * k, y: a.y + (b.y - a.y) * k };
}
