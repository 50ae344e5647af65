// The pipeline SVG: static nodes/edges, plus dots animated with requestAnimationFrame.
import { useEffect, useRef, useState } from 'react';
import type { KafkaEvent } from '../api/types';
import { useI18n } from '../i18n';
import { advanceDots, durationFor, spawnDots, type Dot, type DotPosition } from '../shaping/dots';
import { FLOW_EDGES, FLOW_HEIGHT, FLOW_NODES, FLOW_WIDTH, edgeId, nodeById } from '../shaping/flowLayout';
import { formatRate } from '../shaping/format';
import type { Emitter } from '../state/emitter';

interface Props {
  released: Emitter<KafkaEvent[]>;
  speed: number;
  rates: Record<string, number>;
  counts: Record<string, number>;
}

const TOPIC_W = 152;
const TOPIC_H = 38;
const SERVICE_W = 110;
const SERVICE_H = 38;

export function FlowDiagram({ released, speed, rates, counts }: Props) {
  const { lang, t } = useI18n();
  const dots = useRef<Dot[]>([]);
  const nextId = useRef(1);
  const speedRef = useRef(speed);
  const [positions, setPositions] = useState<DotPosition[]>([]);
  speedRef.current = speed;

  useEffect(
    () =>
      released.subscribe((events) => {
        const r = spawnDots(dots.current, events, performance.now(), nextId.current);
        dots.current = r.dots;
        nextId.current = r.nextId;
      }),
    [released],
  );

  useEffect(() => {
    let frame = 0;
    const tick = () => {
      const r = advanceDots(dots.current, performance.now(), durationFor(speedRef.current));
      dots.current = r.alive;
      setPositions((prev) => (prev.length === 0 && r.positions.length === 0 ? prev : r.positions));
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, []);

  return (
    <svg className="flow" viewBox={`0 0 ${FLOW_WIDTH} ${FLOW_HEIGHT}`} role="img" aria-label={t('flow.title')}>
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" className="arrow-head" />
        </marker>
      </defs>
      {FLOW_EDGES.map((e) => {
        const a = nodeById(e.from);
        const b = nodeById(e.to);
        if (!a || !b) return null;
        return (
          <line key={edgeId(e)} x1={a.x} y1={a.y} x2={b.x} y2={b.y} className={`edge edge-${e.kind}`} markerEnd="url(#arrow)">
            <title>{`${e.from} → ${e.to}`}</title>
          </line>
        );
      })}
      {FLOW_NODES.map((n) =>
        n.kind === 'service' ? (
          <g key={n.id} className="node node-service" transform={`translate(${n.x},${n.y})`}>
            <rect x={-SERVICE_W / 2} y={-SERVICE_H / 2} width={SERVICE_W} height={SERVICE_H} rx={20} />
            <text y={5} textAnchor="middle">
              {t(`lane.${n.id}`)}
            </text>
          </g>
        ) : (
          <g key={n.id} className="node node-topic" transform={`translate(${n.x},${n.y})`} data-topic={n.id}>
            <rect x={-TOPIC_W / 2} y={-TOPIC_H / 2} width={TOPIC_W} height={TOPIC_H} rx={3} />
            <text y={-4} textAnchor="middle" className="topic-name">
              {n.id}
            </text>
            <text y={13} textAnchor="middle" className="topic-stats">
              {`${formatRate(rates[n.id], lang)} · ${counts[n.id] ?? 0}`}
            </text>
            <title>{t('flow.topicTitle', { topic: n.id, rate: formatRate(rates[n.id], lang), n: counts[n.id] ?? 0 })}</title>
          </g>
        ),
      )}
      {positions.map((p) => (
        <circle key={p.id} cx={p.x} cy={p.y} r={6} className={`flow-dot dot-${p.topic.split('.')[0]}`} />
      ))}
      <g className="legend" transform={`translate(16, ${FLOW_HEIGHT - 36})`}>
        <line x1={0} y1={0} x2={40} y2={0} className="edge edge-produce" />
        <text x={48} y={4}>{t('flow.legend.produce')}</text>
        <line x1={0} y1={20} x2={40} y2={20} className="edge edge-consume" />
        <text x={48} y={24}>{t('flow.legend.consume')}</text>
      </g>
    </svg>
  );
}
