import { useEffect, useState, type FormEvent } from 'react';
import { api, HttpError, newIdempotencyKey } from '../api/client';
import type { Catalog } from '../api/types';
import { Section } from '../components/Explain';
import { TrafficControl } from '../components/TrafficControl';
import { useI18n } from '../i18n';
import { useNav } from '../nav';
import { buildCheckout, emptyLines, fieldErrors, type FieldError, type FormLine } from '../shaping/checkout';
import { formatMoney } from '../shaping/format';

export function ControlsPanel() {
  const { lang, t } = useI18n();
  const { openOrder } = useNav();
  const [catalog, setCatalog] = useState<Catalog | null>(null);
  const [customer, setCustomer] = useState('');
  const [lines, setLines] = useState<FormLine[]>(emptyLines);
  const [sending, setSending] = useState(false);
  const [placed, setPlaced] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<FieldError[]>([]);

  useEffect(() => {
    api.catalog().then(setCatalog).catch((e: Error) => setError(e.message));
  }, []);

  const setLine = (i: number, patch: Partial<FormLine>) =>
    setLines((ls) => ls.map((l, j) => (j === i ? { ...l, ...patch } : l)));

  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    setError(null);
    setFields([]);
    setPlaced(null);
    const body = buildCheckout(customer, lines);
    if (!body) {
      setError(t('ctl.invalid'));
      return;
    }
    setSending(true);
    try {
      const accepted = await api.checkout(body, newIdempotencyKey());
      setPlaced(accepted.order_id);
    } catch (e) {
      setError((e as Error).message);
      if (e instanceof HttpError) setFields(fieldErrors(e.body));
    } finally {
      setSending(false);
    }
  };

  return (
    <div className="panel-grid controls-grid">
      <Section title={t('ctl.checkout')} explain={t('ctl.checkout.explain')}>
        <form className="checkout" onSubmit={submit}>
          <label>
            {t('ctl.customer')}
            <select value={customer} onChange={(e) => setCustomer(e.target.value)} data-testid="checkout-customer">
              <option value="">{t('ctl.choose')}</option>
              {catalog?.customers.map((c) => (
                <option key={c.customer_id} value={c.customer_id}>{`${c.name} (${c.customer_id})`}</option>
              ))}
            </select>
          </label>
          {lines.map((line, i) => (
            <div className="line" key={i}>
              <label>
                {t('ctl.product', { n: i + 1 })}
                <select value={line.product_id} onChange={(e) => setLine(i, { product_id: e.target.value })} data-testid={`checkout-product-${i}`}>
                  <option value="">{t('ctl.choose')}</option>
                  {catalog?.products.map((p) => (
                    <option key={p.product_id} value={p.product_id}>{`${p.name} — ${formatMoney(p.price, lang)}`}</option>
                  ))}
                </select>
              </label>
              <label className="qty">
                {t('ctl.quantity')}
                <input type="number" min={1} max={99} value={line.quantity} onChange={(e) => setLine(i, { quantity: Number(e.target.value) })} data-testid={`checkout-quantity-${i}`} />
              </label>
            </div>
          ))}
          <button type="submit" className="primary" disabled={sending} data-testid="checkout-submit">
            {sending ? t('ctl.sending') : t('ctl.submit')}
          </button>
        </form>
        {placed ? (
          <p className="ok-box">
            {t('ctl.placed')} <code data-testid="placed-order-id">{placed}</code>{' '}
            <button type="button" className="link" onClick={() => openOrder(placed)}>{t('ctl.openTimeline')}</button>
          </p>
        ) : null}
        {error ? (
          <div className="error-box" data-testid="checkout-error">
            <p>{error}</p>
            {fields.length > 0 ? (
              <ul>
                {fields.map((f, i) => (
                  <li key={i} data-testid="checkout-field-error"><code>{f.field}</code>: {f.reason}</li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : null}
      </Section>
      <TrafficControl />
    </div>
  );
}
