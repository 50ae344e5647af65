import { afterEach, describe, expect, it } from 'vitest';
import { api, HttpError, newIdempotencyKey, setFetch, socketUrl } from './client';

interface Call {
  url: string;
  init: RequestInit | undefined;
}

function fake(status: number, body: unknown, calls: Call[]) {
  setFetch((async (url: string, init?: RequestInit) => {
    calls.push({ url, init });
    return new Response(JSON.stringify(body), { status });
  }) as typeof fetch);
}

afterEach(() => setFetch((...args) => fetch(...args)));

describe('api client', () => {
  it('POSTs /orders with the Idempotency-Key header', async () => {
    const calls: Call[] = [];
    fake(202, { order_id: 'o-1', status: 'accepted' }, calls);
    const r = await api.checkout({ customer_id: 'c-0001', items: [{ product_id: 'p-0001', quantity: 1 }] }, 'key-1');
    expect(r.order_id).toBe('o-1');
    expect(calls[0]!.url).toBe('/orders');
    expect(calls[0]!.init?.method).toBe('POST');
    expect((calls[0]!.init?.headers as Record<string, string>)['Idempotency-Key']).toBe('key-1');
  });
  it('raises HttpError with the error body on 4xx', async () => {
    fake(422, { error: 'pedido inválido', fields: [{ field: 'items', reason: 'vazio' }] }, []);
    const err = await api.checkout({ customer_id: 'c', items: [] }, 'k').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(422);
    expect((err as HttpError).body.fields?.[0]?.field).toBe('items');
  });
  it('builds the snapshot URLs from API.md', async () => {
    const calls: Call[] = [];
    fake(200, { events: [], records: [], rate: 5 }, calls);
    await api.recentEvents(200);
    await api.xray('orders.new', 2);
    await api.order('a/b');
    await api.setTraffic(5);
    expect(calls.map((c) => c.url)).toEqual([
      '/api/events/recent?limit=200',
      '/api/xray?topic=orders.new&partition=2&limit=50',
      '/api/orders/a%2Fb',
      '/api/traffic',
    ]);
    expect(calls[3]!.init?.method).toBe('PUT');
    expect(calls[3]!.init?.body).toBe('{"rate":5}');
  });
  it('asks /api/faults with only the bounds given', async () => {
    const calls: Call[] = [];
    fake(200, { at: 1, drills: [], faults: [], retries: [] }, calls);
    await api.faults();
    await api.faults({ since_ms: 1000.7, order_id: 'o 1' });
    await api.faults({ since_ms: 5, until_ms: 9 });
    expect(calls.map((c) => c.url)).toEqual([
      '/api/faults',
      '/api/faults?since_ms=1000&order_id=o%201',
      '/api/faults?since_ms=5&until_ms=9',
    ]);
  });
  it('makes UUID idempotency keys and same-origin socket URLs', () => {
    expect(newIdempotencyKey()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(socketUrl({ protocol: 'http:', host: 'localhost:8000' })).toBe('ws://localhost:8000/ws');
    expect(socketUrl({ protocol: 'https:', host: 'x' })).toBe('wss://x/ws');
  });
});
