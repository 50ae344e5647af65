import { useState } from 'react';
import type { Cluster } from '../api/types';
import { useI18n } from '../i18n';
import { FLOW_TOPICS } from '../shaping/flowLayout';
import { commitsFor, hasOpenTransaction, sortTopics, stripGeometry } from '../shaping/partitionStrip';
import { Section } from './Explain';

const WIDTH = 560;
const HEIGHT = 34;

export function PartitionStrips({ cluster }: { cluster: Cluster | null }) {
  const { t } = useI18n();
  const topics = sortTopics(cluster?.topics ?? [], FLOW_TOPICS);
  const [topic, setTopic] = useState<string>('orders.new');
  const shown = topic === '' ? topics : topics.filter((x) => x.name === topic);
  const picker = (
    <select value={topic} onChange={(e) => setTopic(e.target.value)} aria-label={t('kafka.topic')} data-testid="strip-topic">
      <option value="">{t('kafka.allTopics')}</option>
      {topics.map((x) => (
        <option key={x.name} value={x.name}>
          {x.name}
        </option>
      ))}
    </select>
  );
  return (
    <Section title={t('kafka.strips')} explain={t('kafka.strips.explain')} actions={picker} className="strips">
      {!cluster ? <p className="muted">{t('common.loading')}</p> : null}
      <div className="strip-legend">
        <span><span className="sw sw-log" />{t('kafka.legend.log')}</span>
        <span><span className="sw sw-open" />{t('kafka.open')}</span>
        <span><span className="sw sw-lso" />LSO</span>
        <span>▲ {t('kafka.legend.commit')}</span>
      </div>
      <div className="scroll">
        {shown.map((tp) => (
          <div key={tp.name} className="strip-topic">
            <h3 className="mono">{tp.name}</h3>
            {tp.partitions.map((p) => {
              const g = stripGeometry(p, commitsFor(cluster!, tp.name, p.partition), WIDTH);
              return (
                <div key={p.partition} className="strip-row" data-testid="partition-strip" data-topic={tp.name} data-partition={p.partition}>
                  <span className="strip-label mono">[{p.partition}]</span>
                  <svg width="100%" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" className="strip-svg">
                    <rect x={g.lowX} y={8} width={Math.max(1, g.highX - g.lowX)} height={12} className="strip-log" />
                    {g.openWidth > 0 ? <rect x={g.lsoX} y={8} width={g.openWidth} height={12} className="strip-open"><title>{t('kafka.open')}</title></rect> : null}
                    <line x1={g.lsoX} x2={g.lsoX} y1={4} y2={24} className="mk-lso"><title>{`LSO ${p.lso}`}</title></line>
                    {g.markers.map((m) => (
                      <path key={m.group} d={`M ${m.x} 22 l -5 8 h 10 z`} className="mk-commit">
                        <title>{`${m.group}: committed ${m.committed}, lag ${m.lag}`}</title>
                      </path>
                    ))}
                  </svg>
                  <span className="strip-nums mono small">
                    <span title="low watermark">LWM {p.low}</span> · <span title="last stable offset" className={hasOpenTransaction(p) ? 'warn-text' : ''}>LSO {p.lso}</span> · <span title="high watermark">HW {p.high}</span>
                  </span>
                </div>
              );
            })}
          </div>
        ))}
      </div>
    </Section>
  );
}
