import { useState } from 'react';
import { OrderLink } from '../components/OrderLink';
import { Section } from '../components/Explain';
import { FlowDiagram } from '../components/FlowDiagram';
import { useI18n } from '../i18n';
import { SPEEDS } from '../shaping/dots';
import { coords, formatTime } from '../shaping/format';
import type { Dashboard } from '../state/useDashboard';

export function FlowPanel({ dash }: { dash: Dashboard }) {
  const { lang, t } = useI18n();
  const [speed, setSpeed] = useState<number>(1);
  const { buffer } = dash;
  const controls = (
    <div className="controls-row">
      {buffer.paused ? (
        <button type="button" className="primary" onClick={dash.resume} data-testid="flow-play">
          ▶ {t('flow.play')}
        </button>
      ) : (
        <button type="button" onClick={dash.pause} data-testid="flow-pause">
          ❚❚ {t('flow.pause')}
        </button>
      )}
      <button type="button" onClick={dash.step} disabled={!buffer.paused || buffer.pending.length === 0} data-testid="flow-step">
        → {t('flow.step')}
      </button>
      <span className="seg" role="group" aria-label={t('flow.speed')}>
        {t('flow.speed')}:
        {SPEEDS.map((s) => (
          <button key={s} type="button" className={s === speed ? 'on' : ''} onClick={() => setSpeed(s)}>
            {s}x
          </button>
        ))}
      </span>
      {buffer.paused ? <span className="pill">{t('flow.pending', { n: buffer.pending.length })}</span> : null}
      {buffer.overflow > 0 ? <span className="pill warn">{t('flow.overflow', { n: buffer.overflow })}</span> : null}
    </div>
  );
  return (
    <div className="panel-grid flow-grid">
      <Section title={t('flow.title')} explain={t('flow.explain')} actions={controls}>
        <FlowDiagram released={dash.released} speed={speed} rates={dash.stats?.rates ?? {}} counts={buffer.counts} />
      </Section>
      <Section title={t('flow.list')} explain={t('flow.list.explain')} className="live-list">
        {buffer.live.length === 0 ? (
          <p className="muted">{t('flow.empty')}</p>
        ) : (
          <div className="scroll">
            <table className="table dense">
              <thead>
                <tr>
                  <th>{t('flow.col.time')}</th>
                  <th>
                    {t('flow.col.coords')}
                    <br />
                    {t('flow.col.type')}
                  </th>
                  <th>{t('flow.col.order')}</th>
                </tr>
              </thead>
              <tbody>
                {buffer.live.slice(0, 100).map((e) => (
                  <tr key={`${e.topic}:${e.partition}:${e.offset}`} data-testid="live-event">
                    <td className="mono">{formatTime(e.seen_at ?? e.timestamp, lang)}</td>
                    <td>
                      <span className="mono">{coords(e.topic, e.partition, e.offset)}</span>
                      <br />
                      <span className="small">{e.event_type}</span>
                    </td>
                    <td>
                      <OrderLink id={e.order_id} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
    </div>
  );
}
