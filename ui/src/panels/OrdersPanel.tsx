import { useCallback, useEffect, useState } from 'react';
import { api } from '../api/client';
import type { OrdersResponse } from '../api/types';
import { Section } from '../components/Explain';
import { OrderTimeline } from '../components/OrderTimeline';
import { StatusBadge } from '../components/StatusBadge';
import { isKey, useI18n } from '../i18n';
import { useNav } from '../nav';
import { formatMoney, formatTime, shortId } from '../shaping/format';
import { defaultFilters, statusOptions, type OrderFilters, type TimeWindow } from '../shaping/orders';
import type { Dashboard } from '../state/useDashboard';

const WINDOWS: TimeWindow[] = ['5m', '1h', 'all'];
const LIST_REFRESH_MS = 5000;

export function OrdersPanel({ dash }: { dash: Dashboard }) {
  const { lang, t } = useI18n();
  const { selectedOrder, openOrder } = useNav();
  const [filters, setFilters] = useState<OrderFilters>(defaultFilters);
  const [data, setData] = useState<OrdersResponse | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    api
      .orders(filters)
      .then((r) => {
        setData(r);
        setError(null);
      })
      .catch((e: Error) => setError(e.message));
  }, [filters]);

  useEffect(() => {
    const delay = window.setTimeout(load, 250); // debounce typing
    const every = window.setInterval(load, LIST_REFRESH_MS);
    return () => {
      window.clearTimeout(delay);
      window.clearInterval(every);
    };
  }, [load]);

  const set = (patch: Partial<OrderFilters>) => setFilters((f) => ({ ...f, ...patch }));

  return (
    <div className="panel-grid orders-grid">
      <Section title={t('orders.title')} explain={t('orders.explain')} className="orders-list">
        <div className="filters">
          <input value={filters.q} onChange={(e) => set({ q: e.target.value })} placeholder={t('orders.q')} aria-label={t('orders.q')} data-testid="orders-q" />
          <input value={filters.customer} onChange={(e) => set({ customer: e.target.value })} placeholder={t('orders.customer')} aria-label={t('orders.customer')} data-testid="orders-customer" />
          <select value={filters.status} onChange={(e) => set({ status: e.target.value })} aria-label={t('orders.status')} data-testid="orders-status">
            <option value="">{t('orders.status.all')}</option>
            {statusOptions(data?.counts ?? {}).map(({ status, count }) => (
              <option key={status} value={status}>
                {(isKey(`status.${status}`) ? t(`status.${status}`) : status) + (count ? ` (${count})` : '')}
              </option>
            ))}
          </select>
          <select value={filters.window} onChange={(e) => set({ window: e.target.value as TimeWindow })} aria-label={t('orders.window')} data-testid="orders-window">
            {WINDOWS.map((w) => (
              <option key={w} value={w}>
                {t(`orders.window.${w}`)}
              </option>
            ))}
          </select>
          <button type="button" onClick={load}>
            {t('common.refresh')}
          </button>
        </div>
        {error ? <p className="error">{t('common.error', { msg: error })}</p> : null}
        {data && data.orders.length === 0 ? <p className="muted">{t('orders.empty')}</p> : null}
        {!data && !error ? <p className="muted">{t('common.loading')}</p> : null}
        <div className="scroll">
          <table className="table dense clickable">
            <thead>
              <tr>
                <th>{t('orders.col.id')}</th>
                <th>{t('orders.col.customer')}</th>
                <th>{t('orders.col.status')}</th>
                <th className="num">{t('orders.col.total')}</th>
                <th>{t('orders.col.created')}</th>
              </tr>
            </thead>
            <tbody>
              {(data?.orders ?? []).map((o) => (
                <tr
                  key={o.order_id}
                  data-testid="order-row"
                  data-order-id={o.order_id}
                  className={o.order_id === selectedOrder ? 'selected' : ''}
                  onClick={() => openOrder(o.order_id)}
                >
                  <td className="mono" title={o.order_id}>{shortId(o.order_id, 12)}</td>
                  <td>{o.customer_id ?? '—'}</td>
                  <td>
                    <StatusBadge status={o.status} />
                  </td>
                  <td className="num">{formatMoney(o.total_amount, lang)}</td>
                  <td className="mono">{formatTime(o.created_at, lang)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>
      <OrderTimeline orderId={selectedOrder} incoming={dash.incoming} />
    </div>
  );
}
