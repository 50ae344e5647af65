import { describe, expect, it } from 'vitest';
import { buildCheckout, clampRate, emptyLines, fieldErrors } from './checkout';

describe('checkout', () => {
  it('starts with three empty lines', () => {
    expect(emptyLines()).toEqual([
      { product_id: '', quantity: 1 },
      { product_id: '', quantity: 1 },
      { product_id: '', quantity: 1 },
    ]);
  });
  it('builds the POST /orders body, skipping empty lines and summing repeats', () => {
    expect(
      buildCheckout('c-0001', [
        { product_id: 'p-1', quantity: 2 },
        { product_id: '', quantity: 5 },
        { product_id: 'p-1', quantity: 1 },
      ]),
    ).toEqual({ customer_id: 'c-0001', items: [{ product_id: 'p-1', quantity: 3 }] });
  });
  it('refuses a missing customer, no products or a bad quantity', () => {
    expect(buildCheckout('', [{ product_id: 'p-1', quantity: 1 }])).toBeNull();
    expect(buildCheckout('c', emptyLines())).toBeNull();
    expect(buildCheckout('c', [{ product_id: 'p-1', quantity: 0 }])).toBeNull();
    expect(buildCheckout('c', [{ product_id: 'p-1', quantity: Number.NaN }])).toBeNull();
  });
  it('reads field errors in both shapes', () => {
    expect(fieldErrors({ error: 'x', field: 'items', reason: 'empty' })).toEqual([{ field: 'items', reason: 'empty' }]);
    expect(fieldErrors({ error: 'x', fields: [{ field: 'customer_id', reason: 'unknown' }] })).toEqual([
      { field: 'customer_id', reason: 'unknown' },
    ]);
    expect(fieldErrors({ error: 'x' })).toEqual([]);
    expect(fieldErrors(null)).toEqual([]);
  });
  it('clamps the traffic rate to 0..200', () => {
    expect(clampRate(-1)).toBe(0);
    expect(clampRate(500)).toBe(200);
    expect(clampRate(Number.NaN)).toBe(0);
    expect(clampRate(5)).toBe(5);
  });
});
