// Parsing and validating WebSocket frames from the gateway.
import type { ServerMessage } from '../api/types';

const TYPES = new Set(['events', 'stats', 'cluster', 'indicators', 'faults']);

/** Parses one text frame; returns null for anything that is not a known message (never throws). */
export function parseServerMessage(data: unknown): ServerMessage | null {
  if (typeof data !== 'string') return null;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !TYPES.has(type)) return null;
  if (type === 'events') {
    const msg = value as { events?: unknown; dropped?: unknown };
    if (!Array.isArray(msg.events)) return null;
    return { type: 'events', events: msg.events, dropped: Number(msg.dropped ?? 0) || 0 };
  }
  if (type === 'faults') {
    const msg = value as { drills?: unknown; faults?: unknown };
    if (!Array.isArray(msg.drills) || !Array.isArray(msg.faults)) return null;
  }
  if (type === 'stats') {
    const msg = value as { rates?: unknown };
    if (typeof msg.rates !== 'object' || msg.rates === null) return null;
  }
  return value as ServerMessage;
}
