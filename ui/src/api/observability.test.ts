import { afterEach, describe, expect, it } from 'vitest';
import { HttpError, setFetch } from './client';
import { observabilityApi } from './observability';

function fake(status: number, body: unknown, urls: string[]) {
  setFetch((async (url: string) => {
    urls.push(url);
    return new Response(JSON.stringify(body), { status });
  }) as typeof fetch);
}

afterEach(() => setFetch((...args) => fetch(...args)));

describe('observability api', () => {
  it('asks for a panel by id, range and service only (never PromQL)', async () => {
    const urls: string[] = [];
    fake(200, { panel: 'lag_records', series: [] }, urls);
    await observabilityApi.query('lag_records', '1h', 'payment');
    await observabilityApi.query('orders_per_minute', '6h', null);
    expect(urls).toEqual([
      '/api/observability/query?panel=lag_records&range=1h&service=payment',
      '/api/observability/query?panel=orders_per_minute&range=6h',
    ]);
  });
  it('surfaces the 503 of an unreachable Prometheus as an HttpError with its message', async () => {
    fake(503, { error: 'o Prometheus não responde / Prometheus is not reachable', hint: 'pedidos stack up' }, []);
    const err = await observabilityApi.query('lag_records', '15m', null).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(503);
    expect((err as HttpError).message).toContain('Prometheus is not reachable');
  });
});
