import { useCallback, useEffect, useState } from 'react';
import { api } from '../api/client';
import type { DlqRecord } from '../api/types';
import { Section } from '../components/Explain';
import { OrderLink } from '../components/OrderLink';
import { useI18n } from '../i18n';
import { coords, formatDateTime, originCoords } from '../shaping/format';

export function DlqPanel() {
  const { lang, t } = useI18n();
  const [records, setRecords] = useState<DlqRecord[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    api
      .dlq(100)
      .then((r) => {
        setRecords([...r].sort((a, b) => b.timestamp - a.timestamp));
        setError(null);
      })
      .catch((e: Error) => setError(e.message));
  }, []);
  useEffect(load, [load]);
  const refresh = (
    <button type="button" onClick={load} data-testid="dlq-refresh">
      {t('common.refresh')}
    </button>
  );
  return (
    <div className="panel-grid">
      <Section title={t('dlq.title')} explain={t('dlq.explain')} actions={refresh}>
        {error ? <p className="error">{t('common.error', { msg: error })}</p> : null}
        {records === null && !error ? <p className="muted">{t('common.loading')}</p> : null}
        {records?.length === 0 ? <p className="muted">{t('dlq.empty')}</p> : null}
        {records && records.length > 0 ? (
          <div className="scroll">
            <table className="table dense">
              <thead>
                <tr>
                  <th>{t('dlq.col.time')}</th>
                  <th>{t('dlq.col.reason')}</th>
                  <th>{t('dlq.col.processor')}</th>
                  <th>{t('dlq.col.origin')}</th>
                  <th>{t('dlq.col.order')}</th>
                  <th>{t('dlq.col.record')}</th>
                </tr>
              </thead>
              <tbody>
                {records.map((r) => (
                  <tr key={`${r.topic}:${r.partition}:${r.offset}`} data-testid="dlq-row">
                    <td className="mono small">{formatDateTime(r.timestamp, lang)}</td>
                    <td>
                      <strong>{r.reason}</strong>
                      {r.detail ? <div className="small muted">{r.detail}</div> : null}
                    </td>
                    <td>{r.processor}</td>
                    <td className="mono">{originCoords(r.origin)}</td>
                    <td>
                      <OrderLink id={r.order_id} />
                    </td>
                    <td className="mono small">{coords(r.topic, r.partition, r.offset)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </Section>
    </div>
  );
}
