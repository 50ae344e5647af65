// An order's whole story on one grid: its events (timeline.ts), its retry and DLQ hops, and the drill faults
// that overlapped its life, every item in one chronological column order. A fault sits in a "faults" row on
// top and stretches over the columns of everything that happened while it lasted.
import type { FaultSpan, RetryHop, TimelineEvent } from '../api/types';
import { LANE_ORDER } from './timeline';

export const FAULT_LANE = 'faults';

export type StoryItem =
  | { kind: 'event'; at: number; event: TimelineEvent }
  | { kind: 'retry'; at: number; hop: RetryHop }
  | { kind: 'fault'; at: number; fault: FaultSpan };

export interface StoryCell {
  item: StoryItem;
  /** Row of the grid: 0.. (fault rows first, then the service lanes). */
  row: number;
  column: number;
  /** Columns covered: a fault spans what happened while it lasted; everything else 1. */
  span: number;
}

export interface StoryGrid {
  /** One label per row; the fault rows after the first have an empty label. */
  rows: string[];
  faultRows: number;
  cells: StoryCell[];
  columns: number;
}

const eventTime = (e: TimelineEvent): number => e.occurred_at ?? e.timestamp;

/** The stretch of time to ask faults for: first event to the last (or to now while it is not over). */
export function orderWindow(timeline: TimelineEvent[], settled: boolean): { since_ms: number; until_ms?: number } | null {
  if (timeline.length === 0) return null;
  const times = timeline.map(eventTime);
  const since = Math.min(...times);
  return settled ? { since_ms: since, until_ms: Math.max(...times) } : { since_ms: since };
}

/** The lane of a retry hop: the processor that failed (its lane), else the lane of the topic's service. */
function hopLane(hop: RetryHop): string {
  if (hop.processor) return hop.processor;
  const service = hop.topic.split('.')[0] ?? '?';
  const byTopic: Record<string, string> = { orders: 'orchestrator', payments: 'payment', notifications: 'notification' };
  return byTopic[service] ?? service;
}

export function orderStory(events: TimelineEvent[], hops: RetryHop[], faults: FaultSpan[]): StoryGrid {
  const items: StoryItem[] = [
    ...events.map((event): StoryItem => ({ kind: 'event', at: eventTime(event), event })),
    ...hops.map((hop): StoryItem => ({ kind: 'retry', at: hop.timestamp, hop })),
    ...faults.map((fault): StoryItem => ({ kind: 'fault', at: fault.start_ms, fault })),
  ];
  // Stable chronological order; at the same instant a fault comes first (it is the cause), then events.
  const rank = { fault: 0, event: 1, retry: 2 } as const;
  const ordered = items
    .map((item, i) => ({ item, i }))
    .sort((a, b) => a.item.at - b.item.at || rank[a.item.kind] - rank[b.item.kind] || a.i - b.i)
    .map(({ item }) => item);

  const lanes = [...LANE_ORDER];
  for (const item of ordered) {
    const lane = item.kind === 'event' ? item.event.lane || item.event.producer || '?' : item.kind === 'retry' ? hopLane(item.hop) : null;
    if (lane !== null && !lanes.includes(lane)) lanes.push(lane);
  }

  // Fault rows: a fault goes on the first row where the previous fault's columns are over.
  const rowEnds: number[] = [];
  const cells: StoryCell[] = [];
  ordered.forEach((item, column) => {
    if (item.kind !== 'fault') return;
    const end = item.fault.end_ms;
    let last = column;
    for (let c = column + 1; c < ordered.length; c += 1) {
      if (end !== null && ordered[c]!.at > end) break;
      last = c;
    }
    let row = rowEnds.findIndex((e) => e < column);
    if (row < 0) row = rowEnds.push(-1) - 1;
    rowEnds[row] = last;
    cells.push({ item, row, column, span: last - column + 1 });
  });
  const faultRows = rowEnds.length;
  ordered.forEach((item, column) => {
    if (item.kind === 'event') {
      cells.push({ item, row: faultRows + lanes.indexOf(item.event.lane || item.event.producer || '?'), column, span: 1 });
    } else if (item.kind === 'retry') {
      cells.push({ item, row: faultRows + lanes.indexOf(hopLane(item.hop)), column, span: 1 });
    }
  });
  const rows = [...Array.from({ length: faultRows }, (_, i) => (i === 0 ? FAULT_LANE : '')), ...lanes];
  return { rows, faultRows, cells, columns: ordered.length };
}
