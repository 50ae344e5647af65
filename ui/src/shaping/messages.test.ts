import { describe, expect, it } from 'vitest';
import { parseServerMessage } from './messages';

describe('parseServerMessage', () => {
  it('parses an events batch', () => {
    const m = parseServerMessage(JSON.stringify({ type: 'events', events: [{ topic: 'orders.new' }], dropped: 3 }));
    expect(m).toEqual({ type: 'events', events: [{ topic: 'orders.new' }], dropped: 3 });
  });
  it('defaults a missing dropped to 0', () => {
    const m = parseServerMessage('{"type":"events","events":[]}');
    expect(m && m.type === 'events' && m.dropped).toBe(0);
  });
  it('passes stats, cluster and indicators through', () => {
    expect(parseServerMessage('{"type":"stats","at":1,"rates":{},"clients":1,"dropped_total":0}')?.type).toBe('stats');
    expect(parseServerMessage('{"type":"cluster","at":1,"topics":[]}')?.type).toBe('cluster');
    expect(parseServerMessage('{"type":"indicators","at":1}')?.type).toBe('indicators');
  });
  it('rejects garbage, unknown types and binary frames', () => {
    expect(parseServerMessage('not json')).toBeNull();
    expect(parseServerMessage('{"type":"hello"}')).toBeNull();
    expect(parseServerMessage('{"type":"events","events":5}')).toBeNull();
    expect(parseServerMessage('{"type":"stats"}')).toBeNull();
    expect(parseServerMessage('null')).toBeNull();
    expect(parseServerMessage(new ArrayBuffer(2))).toBeNull();
  });
});
