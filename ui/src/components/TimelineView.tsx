// Renders one order (GET /api/orders/<id>): summary plus swimlanes, one card per event, with its retry hops
// and the drill faults that overlapped its life (GET /api/faults) placed in time among them.
import type { CSSProperties } from 'react';
import type { FaultSpan, OrderDetail, RetryHop, TimelineEvent } from '../api/types';
import { isKey, useI18n, type T } from '../i18n';
import { faultState, formatDuration } from '../shaping/faults';
import { coords, formatMoney, formatMs, formatTime, type Lang } from '../shaping/format';
import { narrate } from '../shaping/narration';
import { FAULT_LANE, orderStory } from '../shaping/story';
import { latencyBar, latencyScale } from '../shaping/timeline';
import { StatusBadge } from './StatusBadge';

interface Props {
  detail: OrderDetail;
  retries?: RetryHop[];
  faults?: FaultSpan[];
}

export function TimelineView({ detail, retries = [], faults = [] }: Props) {
  const { lang, t } = useI18n();
  const story = orderStory(detail.timeline, retries, faults);
  const scale = latencyScale(detail.timeline);
  const { order } = detail;
  const laneName = (lane: string) => (lane === FAULT_LANE ? t('fault.lane') : isKey(`lane.${lane}`) ? t(`lane.${lane}`) : lane);
  return (
    <>
      <div className="order-summary">
        <StatusBadge status={order.status} testId="order-status" />
        <span>{t('orders.col.customer')}: {order.customer_id ?? '—'}</span>
        <span>{t('orders.col.total')}: {formatMoney(order.total_amount, lang)}</span>
        <span>{t('orders.col.created')}: {formatTime(order.created_at, lang)}</span>
      </div>
      {detail.timeline.length === 0 ? <p className="muted">{t('timeline.empty')}</p> : null}
      {detail.timeline.length > 0 ? (
        <div
          className="swimlanes scroll-x"
          style={{ gridTemplateColumns: `96px repeat(${story.columns}, 184px)`, gridTemplateRows: `repeat(${story.rows.length}, auto)` }}
        >
          {story.rows.map((lane, i) => (
            <div key={`label-${i}`} className={`lane-label ${i < story.faultRows ? 'fault-label-row' : ''}`} style={{ gridRow: i + 1, gridColumn: 1 }}>
              {lane ? laneName(lane) : ''}
            </div>
          ))}
          {story.rows.map((lane, i) => (
            <div key={`bg-${i}`} className={`lane-bg ${i % 2 ? 'odd' : ''}`} style={{ gridRow: i + 1, gridColumn: `1 / span ${story.columns + 1}` }} data-lane={lane} />
          ))}
          {story.cells.map(({ item, row, column, span }) => {
            const place = { gridRow: row + 1, gridColumn: `${column + 2} / span ${span}` };
            if (item.kind === 'fault') return <FaultCard key={`f-${item.fault.id}`} fault={item.fault} style={place} t={t} lang={lang} />;
            if (item.kind === 'retry') {
              const h = item.hop;
              return <RetryCard key={`r-${coords(h.topic, h.partition, h.offset)}`} hop={h} style={place} t={t} lang={lang} />;
            }
            return <EventCard key={item.event.event_id || coords(item.event.topic, item.event.partition, item.event.offset)} e={item.event} scale={scale} style={place} t={t} lang={lang} />;
          })}
        </div>
      ) : null}
    </>
  );
}

interface CardProps {
  style: CSSProperties;
  t: T;
  lang: Lang;
}

function EventCard({ e, scale, style, t, lang }: CardProps & { e: TimelineEvent; scale: number }) {
  const bar = latencyBar(e, scale);
  const timing = `${t('timeline.broker')} ${formatMs(e.broker_ms, lang)} · ${t('timeline.service')} ${formatMs(e.service_ms, lang)}`;
  return (
    <article className="tl-card" data-testid="timeline-event" data-event-type={e.event_type} style={style}>
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
      <p className="narration">{narrate(e, lang)}</p>
    </article>
  );
}

function RetryCard({ hop, style, t, lang }: CardProps & { hop: RetryHop }) {
  const dlq = hop.stage === 'dlq';
  const n = hop.attempt ?? '?';
  const origin = hop.origin ? coords(hop.origin.topic, hop.origin.partition ?? 0, hop.origin.offset ?? undefined) : null;
  const error = hop.error_class ?? '?';
  return (
    <article className={`tl-card tl-retry ${dlq ? 'dlq' : ''}`} data-testid="timeline-retry" data-stage={hop.stage} style={style} title={hop.error ?? undefined}>
      <div className="tl-type">{t(dlq ? 'retry.dlq' : 'retry.title', { n, topic: hop.topic })}</div>
      <div className="mono small">{coords(hop.topic, hop.partition, hop.offset)}</div>
      <div className="small">
        {formatTime(hop.timestamp, lang)}
        {!dlq && hop.due_ms !== null ? ` · ${t('retry.due', { time: formatTime(hop.due_ms, lang), delay: hop.delay_s ?? '?' })}` : ''}
      </div>
      {origin ? <div className="small muted mono">{t('retry.origin', { coords: origin })}</div> : null}
      <p className="narration">{t(dlq ? 'retry.narration.dlq' : 'retry.narration', { error })}</p>
    </article>
  );
}

function FaultCard({ fault, style, t, lang }: CardProps & { fault: FaultSpan }) {
  const to = fault.end_ms === null ? t('fault.ongoing') : formatTime(fault.end_ms, lang);
  const d = formatDuration((fault.end_ms ?? Date.now()) - fault.start_ms);
  return (
    <article className={`tl-fault ${fault.injected ? '' : 'observed'}`} data-testid="timeline-fault" data-kind={fault.kind ?? ''} style={style} title={fault.detail ?? undefined}>
      <div className="tl-type">{faultState(fault, t)}</div>
      <div className="small">
        {t('fault.span', { from: formatTime(fault.start_ms, lang), to, d })}
        {fault.ended_by ? ` · ${t(`fault.ended.${fault.ended_by}`)}` : ''}
      </div>
      <div className="small muted">
        {fault.scenario ?? fault.drill_id}
        {fault.injected ? '' : ` · ${t('fault.observed')}`}
      </div>
    </article>
  );
}
