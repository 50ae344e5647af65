// Per-order timeline: one swimlane per service; events in chronological columns.
import type { TimelineEvent } from '../api/types';

export const LANE_ORDER = ['gateway', 'payment', 'inventory', 'orchestrator', 'notification'];

export interface TimelineCell {
  event: TimelineEvent;
  lane: number;
  column: number;
}

export interface TimelineGrid {
  lanes: string[];
  cells: TimelineCell[];
  columns: number;
}

const eventTime = (e: TimelineEvent): number => e.occurred_at ?? e.timestamp;

/** Chronological order (occurred_at, then record timestamp, then offset), stable. */
export function sortTimeline(events: TimelineEvent[]): TimelineEvent[] {
  return events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => eventTime(a.e) - eventTime(b.e) || a.e.timestamp - b.e.timestamp || a.i - b.i)
    .map(({ e }) => e);
}

/** Lanes: the five services always (fixed order), then unknown lanes as they appear. */
export function timelineGrid(events: TimelineEvent[]): TimelineGrid {
  const sorted = sortTimeline(events);
  const lanes = [...LANE_ORDER];
  for (const e of sorted) {
    const lane = e.lane || e.producer || '?';
    if (!lanes.includes(lane)) lanes.push(lane);
  }
  const cells = sorted.map((event, column) => ({
    event,
    column,
    lane: lanes.indexOf(event.lane || event.producer || '?'),
  }));
  return { lanes, cells, columns: sorted.length };
}

export interface LatencyBar {
  brokerPct: number;
  servicePct: number;
  totalMs: number | null;
}

/** Stacked bar for broker_ms (waiting in Kafka) vs service_ms (work in the service), scaled to the
 * largest total of the timeline so cards compare at a glance. */
export function latencyBar(e: Pick<TimelineEvent, 'broker_ms' | 'service_ms'>, scaleMs: number): LatencyBar {
  const broker = Math.max(0, e.broker_ms ?? 0);
  const service = Math.max(0, e.service_ms ?? 0);
  if (e.broker_ms === null && e.service_ms === null) return { brokerPct: 0, servicePct: 0, totalMs: null };
  const scale = scaleMs > 0 ? scaleMs : broker + service || 1;
  return {
    brokerPct: Math.min(100, (broker / scale) * 100),
    servicePct: Math.min(100 - Math.min(100, (broker / scale) * 100), (service / scale) * 100),
    totalMs: broker + service,
  };
}

export function latencyScale(events: Pick<TimelineEvent, 'broker_ms' | 'service_ms'>[]): number {
  return events.reduce((m, e) => Math.max(m, (e.broker_ms ?? 0) + (e.service_ms ?? 0)), 0);
}

/** The story is over: a terminal status and the customer notified. Until then the panel keeps asking, since
 * the read model may store an order's last events a moment after the live stream showed them. */
export function isSettled(detail: { order: { status: string }; timeline: Pick<TimelineEvent, 'event_type'>[] } | null): boolean {
  if (!detail) return false;
  const terminal = detail.order.status === 'confirmed' || detail.order.status === 'cancelled';
  return terminal && detail.timeline.some((e) => e.event_type === 'NotificationSent');
}
