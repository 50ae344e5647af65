// The X-ray: one partition's last offsets as seen by a read_committed and a read_uncommitted consumer.
import type { Xray } from '../api/types';

export type CellState = 'committed' | 'aborted' | 'open' | 'marker';

export interface XrayCell {
  offset: number;
  state: CellState;
  key: string | null;
  /** Whether this reader returns the record. */
  visible: boolean;
}

export interface XrayColumns {
  committed: XrayCell[];
  uncommitted: XrayCell[];
  counts: Record<CellState, number>;
}

/** Which reader returns a record in a given state. Markers are never returned. */
export function visibleTo(state: CellState, isolation: 'read_committed' | 'read_uncommitted'): boolean {
  if (state === 'marker') return false;
  if (isolation === 'read_uncommitted') return true;
  return state === 'committed';
}

/** All offsets of the response (records and markers), ascending; the same offsets in both columns
 * so they line up, each cell flagged visible or not for that reader. */
export function xrayColumns(x: Xray): XrayColumns {
  const cells = new Map<number, { state: CellState; key: string | null }>();
  for (const r of x.records) {
    const state: CellState = r.state === 'committed' || r.state === 'aborted' || r.state === 'open' ? r.state : r.committed ? 'committed' : 'aborted';
    cells.set(r.offset, { state, key: r.key });
  }
  for (const m of x.markers) cells.set(m, { state: 'marker', key: null });
  const offsets = [...cells.keys()].sort((a, b) => a - b);
  const counts: Record<CellState, number> = { committed: 0, aborted: 0, open: 0, marker: 0 };
  const committed: XrayCell[] = [];
  const uncommitted: XrayCell[] = [];
  for (const offset of offsets) {
    const c = cells.get(offset)!;
    counts[c.state] += 1;
    committed.push({ offset, ...c, visible: visibleTo(c.state, 'read_committed') });
    uncommitted.push({ offset, ...c, visible: visibleTo(c.state, 'read_uncommitted') });
  }
  return { committed, uncommitted, counts };
}
