// Geometry of one partition drawn as an append-only log strip: low watermark (oldest kept offset),
// LSO (first offset of the oldest open transaction), high watermark (next offset to be written) and
// each consumer group's committed offset.
import type { Cluster, PartitionInfo } from '../api/types';

export interface CommitMarker {
  group: string;
  committed: number;
  lag: number;
  x: number;
}

export interface StripGeometry {
  lowX: number;
  lsoX: number;
  highX: number;
  /** Width of the LSO..HW region (records of transactions that have not ended). */
  openWidth: number;
  markers: CommitMarker[];
  empty: boolean;
}

/** Maps offsets [low, high] linearly onto [pad, width - pad]; committed offsets are clamped in. */
export function stripGeometry(
  p: PartitionInfo,
  commits: { group: string; committed: number; lag: number }[],
  width: number,
  pad = 6,
): StripGeometry {
  const span = Math.max(1, p.high - p.low);
  const inner = Math.max(1, width - 2 * pad);
  const x = (offset: number) => pad + (Math.min(p.high, Math.max(p.low, offset)) - p.low) / span * inner;
  const lso = Math.min(p.high, Math.max(p.low, p.lso));
  return {
    lowX: x(p.low),
    lsoX: x(lso),
    highX: x(p.high),
    openWidth: x(p.high) - x(lso),
    markers: commits
      .map((c) => ({ ...c, x: x(c.committed) }))
      .sort((a, b) => a.x - b.x || a.group.localeCompare(b.group)),
    empty: p.high <= p.low,
  };
}

/** Committed offsets of every group on one topic-partition. */
export function commitsFor(cluster: Cluster, topic: string, partition: number) {
  const out: { group: string; committed: number; lag: number }[] = [];
  for (const g of cluster.groups) {
    for (const gp of g.partitions) {
      if (gp.topic === topic && gp.partition === partition) {
        out.push({ group: g.group, committed: gp.committed, lag: gp.lag });
      }
    }
  }
  return out;
}

/** Order-flow topics first (in pipeline order), then the rest alphabetically. */
export function sortTopics<T extends { name: string }>(topics: T[], flowOrder: string[]): T[] {
  const rank = (n: string) => {
    const i = flowOrder.indexOf(n);
    return i === -1 ? flowOrder.length : i;
  };
  return [...topics].sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
}

/** Records in LSO..HW belong to open transactions: a read_committed consumer waits there. */
export const hasOpenTransaction = (p: PartitionInfo): boolean => p.lso < p.high;
