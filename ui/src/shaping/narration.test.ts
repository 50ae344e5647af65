import { describe, expect, it } from 'vitest';
import { tl } from '../test/fixtures';
import { narrate } from './narration';

describe('order narration', () => {
  it('tells each step in pt-BR and English from the facts the gateway sends', () => {
    const placed = tl({ event_type: 'OrderPlaced', payload: { items: [{}, {}], total_amount: '10.00' } });
    expect(narrate(placed, 'pt')).toBe('Pedido recebido no checkout: 2 item(ns), total R$ 10.00.');
    const paid = tl({ event_type: 'PaymentConfirmed', payload: { amount: '10.00' }, step_ms: 150 });
    expect(narrate(paid, 'pt')).toBe('Pagamento aprovado em 150 ms.');
    expect(narrate(paid, 'en')).toBe('Payment approved in 150 ms.');
  });
  it('shows a missing fact as "?" and an unknown event as its type', () => {
    expect(narrate(tl({ event_type: 'OrderCancelled', payload: {} }), 'en')).toBe('Order cancelled: ?.');
    expect(narrate(tl({ event_type: 'PaymentRefunded' }), 'pt')).toBe('Pagamento estornado em ? ms.');
    expect(narrate(tl({ event_type: 'Unknown' }), 'pt')).toBe('Unknown');
  });
});
