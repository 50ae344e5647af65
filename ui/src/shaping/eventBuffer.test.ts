import { describe, expect, it } from 'vitest';
import { ev } from '../test/fixtures';
import { emptyBuffer, mergeNewestFirst, pause, receive, resume, seed, step } from './eventBuffer';

const limits = { liveCap: 5, pendingCap: 3 };

describe('event buffer', () => {
  it('releases at once while playing, newest on top, counting per topic', () => {
    const a = ev({ seen_at: 1 });
    const b = ev({ seen_at: 2, topic: 'payments.confirmed' });
    const r = receive(emptyBuffer(), [a, b], limits);
    expect(r.released).toEqual([a, b]);
    expect(r.buffer.live).toEqual([b, a]);
    expect(r.buffer.counts).toEqual({ 'orders.new': 1, 'payments.confirmed': 1 });
  });

  it('holds events while paused and steps one at a time, oldest first', () => {
    let buffer = pause(emptyBuffer());
    const [a, b] = [ev(), ev()];
    const r = receive(buffer, [a!, b!], limits);
    expect(r.released).toEqual([]);
    buffer = r.buffer;
    expect(buffer.pending).toHaveLength(2);
    const s1 = step(buffer, limits);
    expect(s1.released).toEqual([a]);
    const s2 = step(s1.buffer, limits);
    expect(s2.released).toEqual([b]);
    expect(step(s2.buffer, limits).released).toEqual([]);
  });

  it('step does nothing while playing', () => {
    expect(step(emptyBuffer()).released).toEqual([]);
  });

  it('resume releases everything that waited', () => {
    const p = receive(pause(emptyBuffer()), [ev(), ev()], limits).buffer;
    const r = resume(p, limits);
    expect(r.released).toHaveLength(2);
    expect(r.buffer.paused).toBe(false);
    expect(r.buffer.pending).toEqual([]);
  });

  it('caps the pause buffer, dropping the oldest, and counts the overflow', () => {
    const events = [ev(), ev(), ev(), ev(), ev()];
    const r = receive(pause(emptyBuffer()), events, limits);
    expect(r.buffer.pending).toEqual(events.slice(2));
    expect(r.buffer.overflow).toBe(2);
  });

  it('caps the live list', () => {
    const r = receive(emptyBuffer(), Array.from({ length: 8 }, () => ev()), limits);
    expect(r.buffer.live).toHaveLength(5);
  });

  it('seeds from the snapshot (newest last) without duplicates, counting only new events', () => {
    const a = ev({ seen_at: 10 });
    const b = ev({ seen_at: 20 });
    const live = receive(emptyBuffer(), [b], limits).buffer;
    const seeded = seed(live, [a, b], limits);
    expect(seeded.live.map((e) => e.offset)).toEqual([b.offset, a.offset]);
    expect(seeded.counts).toEqual({ 'orders.new': 2 });
  });

  it('mergeNewestFirst dedupes on topic/partition/offset', () => {
    const a = ev();
    expect(mergeNewestFirst([a], [{ ...a }], 10)).toHaveLength(1);
  });
});
