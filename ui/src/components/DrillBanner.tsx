// The live banner while a `pedidos chaos` drill runs: scenario, elapsed time, the faults active right now.
import { useEffect, useState } from 'react';
import { useI18n } from '../i18n';
import { useNav } from '../nav';
import { activeFaults, faultColor, faultPhrase, formatDuration, runningDrill, type FaultState } from '../shaping/faults';

/** `now` is for tests and screenshots; live, the banner ticks every second on its own. */
export function DrillBanner({ faults, now: fixedNow }: { faults: FaultState; now?: number }) {
  const { t } = useI18n();
  const { tab, setTab } = useNav();
  const drill = runningDrill(faults);
  const [tick, setTick] = useState(() => Date.now());
  useEffect(() => {
    if (!drill || fixedNow !== undefined) return undefined;
    const id = window.setInterval(() => setTick(Date.now()), 1000);
    return () => window.clearInterval(id);
  }, [drill, fixedNow]);
  if (!drill) return null;
  const now = fixedNow ?? tick;
  const active = activeFaults(faults, drill.drill_id);
  return (
    <div className="banner-drill" role="status" aria-live="polite" data-testid="drill-banner" title={t('drill.title')}>
      <div className="drill-head">
        <span className="drill-dot" aria-hidden="true" />
        <strong data-testid="drill-scenario">{t('drill.banner', { scenario: drill.scenario ?? drill.drill_id })}</strong>
        <span data-testid="drill-elapsed">{t('drill.elapsed', { elapsed: formatDuration(now - drill.started_ms) })}</span>
        <span className="muted-light">· {t('drill.count', { n: drill.faults })}</span>
        {tab !== 'kafka' ? (
          <button type="button" className="link light" onClick={() => setTab('kafka')}>
            {t('drill.seeLag')}
          </button>
        ) : null}
      </div>
      <div className="drill-faults">
        <span className="muted-light">{t('drill.active')}</span>
        {active.length === 0 ? <span className="muted-light">{t('drill.none')}</span> : null}
        {active.map((f) => (
          <span key={f.id} className="drill-fault" data-testid="drill-fault" style={{ borderColor: faultColor(f) }}>
            {faultPhrase(f, now, t)}
          </span>
        ))}
      </div>
    </div>
  );
}
