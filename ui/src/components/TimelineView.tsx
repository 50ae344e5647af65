// Renders one order (GET /api/orders/<id>): summary plus swimlanes, one card per event.
import type { OrderDetail } from '../api/types';
import { isKey, useI18n } from '../i18n';
import { coords, formatMoney, formatMs, formatTime } from '../shaping/format';
import { latencyBar, latencyScale, timelineGrid } from '../shaping/timeline';
import { StatusBadge } from './StatusBadge';

export function TimelineView({ detail }: { detail: OrderDetail }) {
  const { lang, t } = useI18n();
  const grid = timelineGrid(detail.timeline);
  const scale = latencyScale(detail.timeline);
  const { order } = detail;
  return (
    <>
      <div className="order-summary">
        <StatusBadge status={order.status} testId="order-status" />
        <span>{t('orders.col.customer')}: {order.customer_id ?? '—'}</span>
        <span>{t('orders.col.total')}: {formatMoney(order.total_amount, lang)}</span>
        <span>{t('orders.col.created')}: {formatTime(order.created_at, lang)}</span>
      </div>
      {grid.cells.length === 0 ? <p className="muted">{t('timeline.empty')}</p> : null}
      {grid.cells.length > 0 ? (
        <div
          className="swimlanes scroll-x"
          style={{ gridTemplateColumns: `96px repeat(${grid.columns}, 184px)`, gridTemplateRows: `repeat(${grid.lanes.length}, auto)` }}
        >
          {grid.lanes.map((lane, i) => (
            <div key={lane} className="lane-label" style={{ gridRow: i + 1, gridColumn: 1 }}>
              {isKey(`lane.${lane}`) ? t(`lane.${lane}`) : lane}
            </div>
          ))}
          {grid.lanes.map((lane, i) => (
            <div key={`bg-${lane}`} className={`lane-bg ${i % 2 ? 'odd' : ''}`} style={{ gridRow: i + 1, gridColumn: `1 / span ${grid.columns + 1}` }} />
          ))}
          {grid.cells.map(({ event: e, lane, column }) => {
            const bar = latencyBar(e, scale);
            const timing = `${t('timeline.broker')} ${formatMs(e.broker_ms, lang)} · ${t('timeline.service')} ${formatMs(e.service_ms, lang)}`;
            return (
              <article
                key={e.event_id || coords(e.topic, e.partition, e.offset)}
                className="tl-card"
                data-testid="timeline-event"
                data-event-type={e.event_type}
                style={{ gridRow: lane + 1, gridColumn: column + 2 }}
              >
                <div className="tl-type">{e.event_type}</div>
                <div className="mono small" title={coords(e.topic, e.partition, e.offset)}>{coords(e.topic, e.partition, e.offset)}</div>
                <div className="small">
                  {t('timeline.txn')}: <span className={`txn txn-${e.transaction}`}>{e.transaction}</span> · {formatTime(e.timestamp, lang)}
                </div>
                {bar.totalMs !== null ? (
                  <div className="latency" title={timing}>
                    <div className="bar">
                      <span className="seg-broker" style={{ width: `${bar.brokerPct}%` }} />
                      <span className="seg-service" style={{ width: `${bar.servicePct}%` }} />
                    </div>
                    <div className="small muted">{timing}</div>
                  </div>
                ) : null}
                <p className="narration">{e.narration?.[lang] ?? ''}</p>
              </article>
            );
          })}
        </div>
      ) : null}
    </>
  );
}
