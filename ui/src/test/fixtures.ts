// Shared test data shaped exactly like API.md's examples.
import type { Cluster, Drill, FaultSpan, KafkaEvent, ReportSummary, TimelineEvent } from '../api/types';

let seq = 0;

export function ev(patch: Partial<KafkaEvent> = {}): KafkaEvent {
  seq += 1;
  return {
    topic: 'orders.new',
    partition: 0,
    offset: seq,
    order_id: 'o-1',
    event_type: 'OrderPlaced',
    event_id: `e-${seq}`,
    correlation_id: 'c-1',
    causation_id: null,
    producer: 'gateway',
    timestamp: 1_000 + seq,
    occurred_at: 1_000 + seq,
    seen_at: 1_000 + seq,
    payload: {},
    ...patch,
  };
}

export function tl(patch: Partial<TimelineEvent> = {}): TimelineEvent {
  return {
    ...ev(),
    lane: 'gateway',
    transaction: 'committed',
    broker_ms: null,
    service_ms: null,
    step_ms: null,
    ...patch,
  };
}

export function cluster(patch: Partial<Cluster> = {}): Cluster {
  return {
    at: 10_000,
    topics: [{ name: 'orders.new', partitions: [{ partition: 0, low: 0, high: 812, lso: 812 }] }],
    groups: [
      {
        group: 'payment',
        state: 'STABLE',
        members: [{ member: 'payment-0', partitions: ['orders.new[0]'] }],
        partitions: [{ topic: 'orders.new', partition: 0, committed: 812, lag: 0, lag_seconds: 0 }],
      },
    ],
    processors: [
      { name: 'payment', instance: 0, up: true, assigned: 12, committed: 340, aborted: 2, consumed: 900, produced: 1800, dead_lettered: 0 },
    ],
    rebalances: [{ at: 5_000, group: 'payment', members: ['payment-0'], reason: 'membership changed' }],
    ...patch,
  };
}

/** A `GET /api/reports` entry as tools/reports.py writes it. */
export function report(patch: Partial<ReportSummary> = {}): ReportSummary {
  return {
    kind: 'bench-telemetry',
    title: { pt: 'Fan-out do painel', en: 'Dashboard fan-out' },
    created_at: '2026-11-23T15:00:00+00:00',
    command: 'pedidos bench telemetry --clients 3',
    has_chart: true,
    conclusion: { pt: 'Nenhum evento descartado.', en: 'No event dropped.' },
    table: { columns: ['medida / figure', 'valor / value'], rows: [['eventos/s', 1234.5], ['p99 ms', null], ['auditoria', 'ok']] },
    ...patch,
  };
}

const T0 = 1_800_000_000_000;

/** A running drill, as `GET /api/faults` sends it. */
export function drill(patch: Partial<Drill> = {}): Drill {
  return {
    drill_id: 'zombie-1',
    scenario: 'zombie',
    status: 'running',
    started_ms: T0,
    ended_ms: null,
    detail: '2 pedidos/s, 60 s',
    verdict: null,
    last_ms: T0,
    faults: 1,
    active: 1,
    ...patch,
  };
}

/** A fault of that drill: payment-0 frozen (SIGSTOP) 10 s in, still going. */
export function span(patch: Partial<FaultSpan> = {}): FaultSpan {
  const fault_id = patch.fault_id ?? 1;
  return {
    id: `${patch.drill_id ?? 'zombie-1'}/${fault_id}`,
    drill_id: 'zombie-1',
    scenario: 'zombie',
    fault_id,
    kind: 'sigstop',
    target: 'payment-0',
    detail: 'SIGSTOP pid 42',
    injected: true,
    start_ms: T0 + 10_000,
    end_ms: null,
    start_t_s: 10,
    end_t_s: null,
    ended_by: null,
    ...patch,
  };
}
