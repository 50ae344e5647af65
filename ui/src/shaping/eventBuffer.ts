// The live-flow event buffer: while playing, incoming events are released at once (animated and
// listed); while paused they wait in `pending`, and "step" releases exactly one, oldest first.
import type { KafkaEvent } from '../api/types';

export interface FlowBuffer {
  paused: boolean;
  /** Waiting events, oldest first (only while paused). */
  pending: KafkaEvent[];
  /** Released events for the live list, newest first. */
  live: KafkaEvent[];
  /** Events released per topic since the page opened. */
  counts: Record<string, number>;
  /** Pending events thrown away because the pause buffer was full. */
  overflow: number;
}

export interface BufferLimits {
  liveCap: number;
  pendingCap: number;
}

export const DEFAULT_LIMITS: BufferLimits = { liveCap: 200, pendingCap: 1000 };

export interface BufferResult {
  buffer: FlowBuffer;
  released: KafkaEvent[];
}

export const emptyBuffer = (): FlowBuffer => ({ paused: false, pending: [], live: [], counts: {}, overflow: 0 });

export const eventKey = (e: Pick<KafkaEvent, 'topic' | 'partition' | 'offset'>): string =>
  `${e.topic}:${e.partition}:${e.offset}`;

const when = (e: KafkaEvent): number => e.seen_at ?? e.timestamp ?? 0;

/** Merges events into a newest-first list, without duplicates (same topic/partition/offset), capped. */
export function mergeNewestFirst(list: KafkaEvent[], incoming: KafkaEvent[], cap: number): KafkaEvent[] {
  const seen = new Set<string>();
  const out: KafkaEvent[] = [];
  for (const e of [...incoming].reverse().concat(list)) {
    const k = eventKey(e);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(e);
  }
  out.sort((a, b) => when(b) - when(a));
  return out.slice(0, cap);
}

function release(buffer: FlowBuffer, events: KafkaEvent[], limits: BufferLimits): BufferResult {
  if (events.length === 0) return { buffer, released: [] };
  const counts = { ...buffer.counts };
  for (const e of events) counts[e.topic] = (counts[e.topic] ?? 0) + 1;
  return { buffer: { ...buffer, counts, live: mergeNewestFirst(buffer.live, events, limits.liveCap) }, released: events };
}

/** New events from the WebSocket. */
export function receive(buffer: FlowBuffer, events: KafkaEvent[], limits = DEFAULT_LIMITS): BufferResult {
  if (!buffer.paused) return release(buffer, events, limits);
  const all = buffer.pending.concat(events);
  const extra = Math.max(0, all.length - limits.pendingCap);
  return {
    buffer: { ...buffer, pending: all.slice(extra), overflow: buffer.overflow + extra },
    released: [],
  };
}

export function pause(buffer: FlowBuffer): FlowBuffer {
  return buffer.paused ? buffer : { ...buffer, paused: true };
}

/** Resumes and releases everything that waited. */
export function resume(buffer: FlowBuffer, limits = DEFAULT_LIMITS): BufferResult {
  return release({ ...buffer, paused: false, pending: [] }, buffer.pending, limits);
}

/** While paused: releases the oldest waiting event (nothing when none waits or when playing). */
export function step(buffer: FlowBuffer, limits = DEFAULT_LIMITS): BufferResult {
  if (!buffer.paused || buffer.pending.length === 0) return { buffer, released: [] };
  const [first, ...rest] = buffer.pending as [KafkaEvent, ...KafkaEvent[]];
  return release({ ...buffer, pending: rest }, [first], limits);
}

/** An HTTP snapshot (GET /api/events/recent, newest last): fills the live list without animation;
 * events not already listed are added to the per-topic counts. */
export function seed(buffer: FlowBuffer, snapshot: KafkaEvent[], limits = DEFAULT_LIMITS): FlowBuffer {
  const known = new Set(buffer.live.map(eventKey));
  const counts = { ...buffer.counts };
  for (const e of snapshot) {
    if (known.has(eventKey(e))) continue;
    known.add(eventKey(e));
    counts[e.topic] = (counts[e.topic] ?? 0) + 1;
  }
  return { ...buffer, counts, live: mergeNewestFirst(buffer.live, snapshot, limits.liveCap) };
}
