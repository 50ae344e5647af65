// Consumer group lag rows and processor transaction bars.
import type { Cluster, ConsumerGroup, ProcessorInfo } from '../api/types';

export interface LagRow {
  group: string;
  state: string;
  topic: string;
  partition: number;
  committed: number;
  lag: number;
  lagSeconds: number;
  owner: string | null;
}

/** Member that owns "topic[p]" in this group, if any. */
export function ownerOf(group: ConsumerGroup, topic: string, partition: number): string | null {
  const label = `${topic}[${partition}]`;
  return group.members.find((m) => m.partitions.includes(label))?.member ?? null;
}

/** One row per group × partition, biggest lag first (then group, topic, partition). */
export function lagRows(cluster: Cluster | null, onlyLagging = false): LagRow[] {
  if (!cluster) return [];
  const rows: LagRow[] = [];
  for (const g of cluster.groups) {
    for (const p of g.partitions) {
      if (onlyLagging && p.lag <= 0) continue;
      rows.push({
        group: g.group,
        state: g.state,
        topic: p.topic,
        partition: p.partition,
        committed: p.committed,
        lag: p.lag,
        lagSeconds: p.lag_seconds,
        owner: ownerOf(g, p.topic, p.partition),
      });
    }
  }
  return rows.sort(
    (a, b) =>
      b.lag - a.lag ||
      a.group.localeCompare(b.group) ||
      a.topic.localeCompare(b.topic) ||
      a.partition - b.partition,
  );
}

/** Total lag and worst lag_seconds per group. */
export function groupTotals(cluster: Cluster): { lag: Record<string, number>; lag_seconds: Record<string, number> } {
  const lag: Record<string, number> = {};
  const seconds: Record<string, number> = {};
  for (const g of cluster.groups) {
    lag[g.group] = g.partitions.reduce((s, p) => s + Math.max(0, p.lag), 0);
    seconds[g.group] = g.partitions.reduce((m, p) => Math.max(m, p.lag_seconds), 0);
  }
  return { lag, lag_seconds: seconds };
}

export interface TxnBar {
  committedPct: number;
  abortedPct: number;
  abortRate: number | null;
}

/** Share of committed vs aborted transactions of one processor instance. */
export function txnBar(p: Pick<ProcessorInfo, 'committed' | 'aborted'>): TxnBar {
  const total = p.committed + p.aborted;
  if (total <= 0) return { committedPct: 0, abortedPct: 0, abortRate: null };
  return {
    committedPct: (p.committed / total) * 100,
    abortedPct: (p.aborted / total) * 100,
    abortRate: p.aborted / total,
  };
}

export const sortProcessors = (ps: ProcessorInfo[]): ProcessorInfo[] =>
  [...ps].sort((a, b) => a.name.localeCompare(b.name) || a.instance - b.instance);

/** Newest rebalance first. */
export const sortRebalances = <T extends { at: number }>(rs: T[]): T[] => [...rs].sort((a, b) => b.at - a.at);
