import { useCallback, useEffect, useRef, useState } from 'react';
import { api, HttpError } from '../api/client';
import type { Faults, KafkaEvent, OrderDetail } from '../api/types';
import { useI18n } from '../i18n';
import { touchesOrder } from '../shaping/orders';
import { orderWindow } from '../shaping/story';
import { isSettled } from '../shaping/timeline';
import type { Emitter } from '../state/emitter';
import { Section } from './Explain';
import { TimelineView } from './TimelineView';

const UNSETTLED_REFRESH_MS = 2000;

interface Props {
  orderId: string | null;
  incoming: Emitter<KafkaEvent[]>;
}

export function OrderTimeline({ orderId, incoming }: Props) {
  const { t } = useI18n();
  const [detail, setDetail] = useState<OrderDetail | null>(null);
  const [faults, setFaults] = useState<Faults | null>(null);
  const [error, setError] = useState<string | null>(null);
  const pending = useRef<number | null>(null);
  const current = useRef(orderId);
  current.current = orderId;

  const load = useCallback(() => {
    if (!orderId) return;
    api
      .order(orderId)
      .then((d) => {
        setDetail(d);
        setError(null);
        // The drill faults of the order's life and its retry hops: extra colour, never a reason to fail.
        const span = orderWindow(d.timeline, isSettled(d));
        if (!span) return;
        api
          .faults({ ...span, order_id: orderId })
          .then((f) => {
            if (current.current === orderId) setFaults(f); // not an answer about the order picked before
          })
          .catch((e: unknown) => console.warn('faults of the order failed', e));
      })
      .catch((e: unknown) => {
        setDetail(null);
        setError(e instanceof HttpError && e.status === 404 ? t('orders.notFound', { id: orderId }) : String((e as Error).message));
      });
  }, [orderId, t]);

  useEffect(() => {
    setDetail(null);
    setFaults(null);
    setError(null);
    load();
  }, [load]);

  // A new event for this order: refetch (coalesced, the projector needs a moment to store it).
  useEffect(
    () =>
      incoming.subscribe((events) => {
        if (!touchesOrder(events, orderId) || pending.current !== null) return;
        pending.current = window.setTimeout(() => {
          pending.current = null;
          load();
        }, 400);
      }),
    [incoming, orderId, load],
  );
  useEffect(() => () => {
    if (pending.current !== null) window.clearTimeout(pending.current);
  }, []);
  // Until the story is over, ask again every 2 s: the projector may store the last events after the stream
  // showed them, and then no further event would trigger a refetch.
  const settled = isSettled(detail);
  useEffect(() => {
    if (!orderId || settled) return undefined;
    const every = window.setInterval(load, UNSETTLED_REFRESH_MS);
    return () => window.clearInterval(every);
  }, [orderId, settled, load]);

  if (!orderId) {
    return (
      <Section title={t('timeline.title')} explain={t('timeline.explain')} className="timeline">
        <p className="muted">{t('orders.pick')}</p>
      </Section>
    );
  }
  return (
    <Section title={`${t('timeline.title')} ${orderId}`} explain={t('timeline.explain')} className="timeline" actions={<button type="button" onClick={load}>{t('common.refresh')}</button>}>
      {error ? <p className="error">{error}</p> : null}
      {detail ? <TimelineView detail={detail} retries={faults?.retries ?? []} faults={faults?.faults ?? []} /> : null}
    </Section>
  );
}
