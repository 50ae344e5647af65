import { useEffect, useState } from 'react';
import { api } from '../api/client';
import type { Cluster, Xray } from '../api/types';
import { useI18n } from '../i18n';
import { FLOW_TOPICS } from '../shaping/flowLayout';
import { sortTopics } from '../shaping/partitionStrip';
import { xrayColumns, type XrayCell } from '../shaping/xray';
import { Section } from './Explain';

export function XrayColumn({ title, cells, hidden }: { title: string; cells: XrayCell[]; hidden: string }) {
  const { t } = useI18n();
  return (
    <div className="xray-col">
      <h3 className="mono">{title}</h3>
      <ol>
        {cells.map((c) => (
          <li
            key={c.offset}
            className={`xray-cell st-${c.state} ${c.visible ? '' : 'not-visible'}`}
            data-testid="xray-cell"
            data-state={c.state}
            data-offset={c.offset}
            title={c.key ?? undefined}
          >
            <span className="mono">@{c.offset}</span>
            <span>{t(`xray.state.${c.state}`)}</span>
            {!c.visible ? <span className="small">{hidden}</span> : null}
          </li>
        ))}
      </ol>
    </div>
  );
}

export function XrayView({ cluster }: { cluster: Cluster | null }) {
  const { t } = useI18n();
  const topics = sortTopics(cluster?.topics ?? [], FLOW_TOPICS);
  const [topic, setTopic] = useState('orders.new');
  const [partition, setPartition] = useState(0);
  const [xray, setXray] = useState<Xray | null>(null);
  const [error, setError] = useState<string | null>(null);
  const partitions = topics.find((x) => x.name === topic)?.partitions.map((p) => p.partition) ?? [0];

  const load = () => {
    api
      .xray(topic, partition)
      .then((x) => {
        setXray(x);
        setError(null);
      })
      .catch((e: Error) => setError(e.message));
  };
  useEffect(() => setXray(null), [topic, partition]);

  const cols = xray ? xrayColumns(xray) : null;
  return (
    <Section title={t('xray.title')} explain={t('xray.explain')} className="xray">
      <div className="filters">
        <select value={topic} onChange={(e) => { setTopic(e.target.value); setPartition(0); }} aria-label={t('kafka.topic')} data-testid="xray-topic">
          {(topics.length ? topics.map((x) => x.name) : [topic]).map((name) => (
            <option key={name} value={name}>{name}</option>
          ))}
        </select>
        <select value={partition} onChange={(e) => setPartition(Number(e.target.value))} aria-label={t('xray.partition')} data-testid="xray-partition">
          {partitions.map((p) => (
            <option key={p} value={p}>{`${t('xray.partition')} ${p}`}</option>
          ))}
        </select>
        <button type="button" className="primary" onClick={load} data-testid="xray-load">{t('xray.load')}</button>
      </div>
      {error ? <p className="error">{t('common.error', { msg: error })}</p> : null}
      {!xray && !error ? <p className="muted">{t('xray.pick')}</p> : null}
      {xray && cols ? (
        <>
          <p className="small mono">
            {xray.topic}[{xray.partition}] · LWM {xray.low} · LSO {xray.lso} · HW {xray.high} ·{' '}
            {(['committed', 'aborted', 'open', 'marker'] as const).map((s) => (
              <span key={s} className={`legend-chip st-${s}`}>{`${t(`xray.state.${s}`)} ${cols.counts[s]}`}</span>
            ))}
          </p>
          <div className="xray-cols scroll">
            <XrayColumn title={t('xray.committed')} cells={cols.committed} hidden={t('xray.hidden')} />
            <XrayColumn title={t('xray.uncommitted')} cells={cols.uncommitted} hidden={t('xray.hidden')} />
          </div>
        </>
      ) : null}
    </Section>
  );
}
