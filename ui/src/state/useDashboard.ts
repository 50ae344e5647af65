// All live state of the dashboard: the WebSocket, the HTTP snapshots reloaded after each (re)connect,
// and the live-flow buffer. Panels read it through props.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, socketUrl } from '../api/client';
import { browserTimer, ReconnectingSocket, type ConnectionStatus, type SocketCtor } from '../api/socket';
import type { Cluster, Indicators, KafkaEvent, LagPoint, ServerMessage, StatsMessage } from '../api/types';
import * as buf from '../shaping/eventBuffer';
import { emptyFaults, mergeFaults, type FaultState } from '../shaping/faults';
import { appendKpiHistory, type KpiPoint } from '../shaping/indicators';
import { HISTORY_WINDOW_MS, mergeLagHistory, pointFromCluster } from '../shaping/lagHistory';
import { Emitter } from './emitter';

export interface Dashboard {
  status: ConnectionStatus;
  dropped: number;
  droppedTotal: number;
  stats: StatsMessage | null;
  cluster: Cluster | null;
  lagHistory: LagPoint[];
  indicators: Indicators | null;
  kpiHistory: KpiPoint[];
  /** Drills and their faults (chaos.faults): the snapshot, then every `faults` message folded in. */
  faults: FaultState;
  buffer: buf.FlowBuffer;
  /** Every event batch from the socket, as it arrives (even while the flow is paused). */
  incoming: Emitter<KafkaEvent[]>;
  /** Events released by the flow buffer (what the diagram animates). */
  released: Emitter<KafkaEvent[]>;
  pause(): void;
  resume(): void;
  step(): void;
}

const initialStatus: ConnectionStatus = { state: 'connecting', attempt: 0, retryAt: null, everOpened: false };

const ignore = (what: string) => (err: unknown) => console.warn(`snapshot ${what} failed`, err);

export function useDashboard(): Dashboard {
  const [status, setStatus] = useState<ConnectionStatus>(initialStatus);
  const [dropped, setDropped] = useState(0);
  const [stats, setStats] = useState<StatsMessage | null>(null);
  const [cluster, setCluster] = useState<Cluster | null>(null);
  const [lagHistory, setLagHistory] = useState<LagPoint[]>([]);
  const [indicators, setIndicators] = useState<Indicators | null>(null);
  const [kpiHistory, setKpiHistory] = useState<KpiPoint[]>([]);
  const [faults, setFaults] = useState<FaultState>(emptyFaults);
  const bufferRef = useRef<buf.FlowBuffer>(buf.emptyBuffer());
  const [buffer, setBuffer] = useState<buf.FlowBuffer>(bufferRef.current);
  const incoming = useMemo(() => new Emitter<KafkaEvent[]>(), []);
  const released = useMemo(() => new Emitter<KafkaEvent[]>(), []);

  const apply = useCallback(
    (result: buf.BufferResult) => {
      bufferRef.current = result.buffer;
      setBuffer(result.buffer);
      if (result.released.length > 0) released.emit(result.released);
    },
    [released],
  );

  const onIndicators = useCallback((ind: Indicators) => {
    setIndicators(ind);
    setKpiHistory((h) => appendKpiHistory(h, ind));
  }, []);

  const onCluster = useCallback((c: Cluster) => {
    setCluster(c);
    setLagHistory((h) => mergeLagHistory(h, [pointFromCluster(c)]));
  }, []);

  const reloadSnapshots = useCallback(() => {
    api
      .recentEvents(200)
      .then((events) => apply({ buffer: buf.seed(bufferRef.current, events), released: [] }))
      .catch(ignore('events'));
    api.cluster().then(onCluster).catch(ignore('cluster'));
    api.indicators().then(onIndicators).catch(ignore('indicators'));
    api
      .faults({ since_ms: Date.now() - HISTORY_WINDOW_MS })
      .then((f) => setFaults((cur) => mergeFaults(cur, f)))
      .catch(ignore('faults'));
    api
      .clusterHistory()
      .then((h) => setLagHistory((cur) => mergeLagHistory(cur, h.points)))
      .catch(ignore('cluster history'));
  }, [apply, onCluster, onIndicators]);

  const onMessage = useCallback(
    (m: ServerMessage) => {
      switch (m.type) {
        case 'events':
          setDropped(m.dropped);
          incoming.emit(m.events);
          apply(buf.receive(bufferRef.current, m.events));
          break;
        case 'stats':
          setStats(m);
          break;
        case 'cluster':
          onCluster(m);
          break;
        case 'indicators':
          onIndicators(m);
          break;
        case 'faults':
          setFaults((cur) => mergeFaults(cur, m));
          break;
      }
    },
    [apply, incoming, onCluster, onIndicators],
  );

  useEffect(() => {
    const socket = new ReconnectingSocket(
      socketUrl(),
      { onMessage, onStatus: setStatus, onOpen: reloadSnapshots },
      WebSocket as unknown as SocketCtor,
      browserTimer,
    );
    socket.start();
    return () => socket.stop();
  }, [onMessage, reloadSnapshots]);

  return {
    status,
    dropped,
    droppedTotal: stats?.dropped_total ?? 0,
    stats,
    cluster,
    lagHistory,
    indicators,
    kpiHistory,
    faults,
    buffer,
    incoming,
    released,
    pause: () => apply({ buffer: buf.pause(bufferRef.current), released: [] }),
    resume: () => apply(buf.resume(bufferRef.current)),
    step: () => apply(buf.step(bufferRef.current)),
  };
}
