// Animated dots on the live-flow diagram: one per released event, moving producer -> topic.
import type { KafkaEvent } from '../api/types';
import { edgeForEvent, pointAlong, type FlowEdge } from './flowLayout';

export interface Dot {
  id: number;
  edge: FlowEdge;
  start: number;
  topic: string;
}

export const BASE_DURATION_MS = 1200;
export const SPEEDS = [0.25, 1, 4] as const;
export type Speed = (typeof SPEEDS)[number];

export const durationFor = (speed: number): number => BASE_DURATION_MS / (speed > 0 ? speed : 1);

/** Adds one dot per event that has a known edge; keeps at most `max` dots (drops the oldest). */
export function spawnDots(
  dots: Dot[],
  events: KafkaEvent[],
  now: number,
  nextId: number,
  max = 80,
): { dots: Dot[]; nextId: number } {
  const added: Dot[] = [];
  let id = nextId;
  events.forEach((e, i) => {
    const edge = edgeForEvent(e.producer, e.topic);
    // Stagger events of one batch a little so they read as separate records.
    if (edge) added.push({ id: id++, edge, start: now + Math.min(i, 20) * 40, topic: e.topic });
  });
  const all = dots.concat(added);
  return { dots: all.slice(Math.max(0, all.length - max)), nextId: id };
}

export interface DotPosition {
  id: number;
  x: number;
  y: number;
  topic: string;
}

/** Positions at `now`; dots whose trip ended are removed. Dots not started yet are kept but not drawn. */
export function advanceDots(dots: Dot[], now: number, durationMs: number): { alive: Dot[]; positions: DotPosition[] } {
  const alive: Dot[] = [];
  const positions: DotPosition[] = [];
  for (const dot of dots) {
    const t = (now - dot.start) / durationMs;
    if (t > 1) continue;
    alive.push(dot);
    if (t < 0) continue;
    const p = pointAlong(dot.edge, t);
    positions.push({ id: dot.id, x: p.x, y: p.y, topic: dot.topic });
  }
  return { alive, positions };
}
