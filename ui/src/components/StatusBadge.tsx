import { isKey, useT } from '../i18n';
import { statusTone } from '../shaping/orders';

export function StatusBadge({ status, testId }: { status: string; testId?: string }) {
  const t = useT();
  const key = `status.${status}`;
  return (
    <span className={`badge tone-${statusTone(status)}`} data-testid={testId} data-status={status}>
      {isKey(key) ? t(key) : status}
    </span>
  );
}
