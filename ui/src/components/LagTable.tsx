import { useState } from 'react';
import type { Cluster } from '../api/types';
import { useI18n } from '../i18n';
import { coords, formatSeconds } from '../shaping/format';
import { lagRows } from '../shaping/groups';
import { Section } from './Explain';

export function LagTable({ cluster }: { cluster: Cluster | null }) {
  const { lang, t } = useI18n();
  const [onlyLagging, setOnlyLagging] = useState(false);
  const rows = lagRows(cluster, onlyLagging);
  const toggle = (
    <label className="check">
      <input type="checkbox" checked={onlyLagging} onChange={(e) => setOnlyLagging(e.target.checked)} /> {t('kafka.onlyLagging')}
    </label>
  );
  return (
    <Section title={t('kafka.groups')} explain={t('kafka.groups.explain')} actions={toggle}>
      <div className="scroll">
        <table className="table dense">
          <thead>
            <tr>
              <th>{t('kafka.col.group')}</th>
              <th>{t('kafka.col.state')}</th>
              <th>{t('kafka.col.partition')}</th>
              <th className="num">{t('kafka.col.committed')}</th>
              <th className="num">{t('kafka.col.lag')}</th>
              <th className="num">{t('kafka.col.lagS')}</th>
              <th>{t('kafka.col.owner')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.group}|${r.topic}|${r.partition}`} data-testid="lag-row" className={r.lag > 0 ? 'lagging' : ''}>
                <td>{r.group}</td>
                <td className="small">{r.state}</td>
                <td className="mono">{coords(r.topic, r.partition)}</td>
                <td className="num mono">{r.committed}</td>
                <td className="num mono">{r.lag}</td>
                <td className="num">{formatSeconds(r.lagSeconds, lang)}</td>
                <td className="mono small">{r.owner ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {rows.length === 0 ? <p className="muted">{t('common.none')}</p> : null}
      </div>
    </Section>
  );
}
