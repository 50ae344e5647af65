import { useEffect, useState } from 'react';
import { useT } from '../i18n';

interface ClipboardLike {
  writeText(text: string): Promise<void>;
}

/** Copies to the clipboard; false when the browser refuses (no permission, or not a secure context). */
export async function copyText(text: string, clipboard: ClipboardLike | undefined = globalThis.navigator?.clipboard): Promise<boolean> {
  if (!clipboard) return false;
  try {
    await clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/** A command line the reader can copy and run: `pedidos ...` plus a Copy button. */
export function CopyCommand({ command }: { command: string }) {
  const t = useT();
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const id = window.setTimeout(() => setState('idle'), 2500);
    return () => window.clearTimeout(id);
  }, [state]);
  return (
    <div className="command-line">
      <code className="command" data-testid="report-command">
        {command}
      </code>
      <button type="button" className="copy" onClick={() => void copyText(command).then((ok) => setState(ok ? 'copied' : 'failed'))} data-testid="report-copy">
        {t('results.copy')}
      </button>
      {state !== 'idle' ? (
        <span className={state === 'copied' ? 'small ok-text' : 'small muted'} role="status">
          {t(state === 'copied' ? 'results.copied' : 'results.copyFailed')}
        </span>
      ) : null}
    </div>
  );
}
