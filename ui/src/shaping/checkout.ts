// Checkout form -> POST /orders body, and 4xx error bodies -> field errors.
import type { ApiErrorBody, CheckoutRequest } from '../api/types';

export const MAX_LINES = 3;

export interface FormLine {
  product_id: string;
  quantity: number;
}

export const emptyLines = (): FormLine[] =>
  Array.from({ length: MAX_LINES }, () => ({ product_id: '', quantity: 1 }));

/** Lines without a product are ignored; the same product twice is summed; quantities are whole ≥ 1. */
export function buildCheckout(customerId: string, lines: FormLine[]): CheckoutRequest | null {
  const qty = new Map<string, number>();
  for (const line of lines.slice(0, MAX_LINES)) {
    if (!line.product_id) continue;
    const n = Math.floor(Number(line.quantity));
    if (!Number.isFinite(n) || n < 1) return null;
    qty.set(line.product_id, (qty.get(line.product_id) ?? 0) + n);
  }
  if (!customerId || qty.size === 0) return null;
  return {
    customer_id: customerId,
    items: [...qty].map(([product_id, quantity]) => ({ product_id, quantity })),
  };
}

export interface FieldError {
  field: string;
  reason: string;
}

/** Accepts both the API.md shape (`field`, `reason`) and the checkout's `fields: [...]` list. */
export function fieldErrors(body: ApiErrorBody | null | undefined): FieldError[] {
  if (!body) return [];
  const out: FieldError[] = [];
  if (Array.isArray(body.fields)) {
    for (const f of body.fields) if (f && typeof f.field === 'string') out.push({ field: f.field, reason: String(f.reason ?? '') });
  }
  if (typeof body.field === 'string') out.push({ field: body.field, reason: String(body.reason ?? '') });
  return out;
}

/** Clamp a traffic rate to the API's accepted range 0..200. */
export function clampRate(v: number): number {
  if (!Number.isFinite(v)) return 0;
  return Math.min(200, Math.max(0, v));
}
