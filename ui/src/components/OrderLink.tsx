import { useNav } from '../nav';
import { shortId } from '../shaping/format';

/** An order id that opens the order's timeline in the Orders tab. */
export function OrderLink({ id, full = false }: { id: string | null | undefined; full?: boolean }) {
  const { openOrder } = useNav();
  if (!id) return <span className="muted">—</span>;
  return (
    <button type="button" className="link mono" title={id} onClick={() => openOrder(id)}>
      {full ? id : shortId(id)}
    </button>
  );
}
