import type { Cluster } from '../api/types';
import { useI18n } from '../i18n';
import { formatDateTime, formatPercent } from '../shaping/format';
import { sortProcessors, sortRebalances, txnBar } from '../shaping/groups';
import { Section } from './Explain';

export function ProcessorsTable({ cluster }: { cluster: Cluster | null }) {
  const { lang, t } = useI18n();
  const processors = sortProcessors(cluster?.processors ?? []);
  return (
    <Section title={t('kafka.processors')} explain={t('kafka.processors.explain')}>
      <table className="table dense">
        <thead>
          <tr>
            <th>{t('kafka.col.processor')}</th>
            <th>{t('kafka.col.up')}</th>
            <th className="num">{t('kafka.col.assigned')}</th>
            <th>{t('kafka.col.txns')}</th>
            <th className="num">{t('kafka.col.consumed')}</th>
            <th className="num">{t('kafka.col.produced')}</th>
            <th className="num">{t('kafka.col.dlq')}</th>
          </tr>
        </thead>
        <tbody>
          {processors.map((p) => {
            const bar = txnBar(p);
            return (
              <tr key={`${p.name}-${p.instance}`} data-testid="processor-row" className={p.up ? '' : 'down'}>
                <td className="mono">{`${p.name}-${p.instance}`}</td>
                <td>{p.up ? <span className="ok-text">● {t('common.yes')}</span> : <span className="bad-text">● {t('common.no')}</span>}</td>
                <td className="num">{p.assigned}</td>
                <td>
                  <div className="txn-cell" title={`abort rate ${formatPercent(bar.abortRate, lang)}`}>
                    <div className="bar small-bar">
                      <span className="seg-commit" style={{ width: `${bar.committedPct}%` }} />
                      <span className="seg-abort" style={{ width: `${bar.abortedPct}%` }} />
                    </div>
                    <span className="mono small">
                      {p.committed} / <span className={p.aborted > 0 ? 'bad-text' : ''}>{p.aborted}</span>
                    </span>
                  </div>
                </td>
                <td className="num">{p.consumed}</td>
                <td className="num">{p.produced}</td>
                <td className={`num ${p.dead_lettered > 0 ? 'bad-text' : ''}`}>{p.dead_lettered}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {processors.length === 0 ? <p className="muted">{t('common.none')}</p> : null}
    </Section>
  );
}

export function RebalanceList({ cluster }: { cluster: Cluster | null }) {
  const { lang, t } = useI18n();
  const rebalances = sortRebalances(cluster?.rebalances ?? []);
  return (
    <Section title={t('kafka.rebalances')} explain={t('kafka.rebalances.explain')}>
      {rebalances.length === 0 ? <p className="muted">{t('common.none')}</p> : null}
      <ul className="rebalances scroll">
        {rebalances.map((r, i) => (
          <li key={`${r.at}-${r.group}-${i}`} data-testid="rebalance">
            <span className="mono small">{formatDateTime(r.at, lang)}</span> <strong>{r.group}</strong> → {r.members.join(', ') || '∅'}
            <div className="small muted">{r.reason}</div>
          </li>
        ))}
      </ul>
    </Section>
  );
}
