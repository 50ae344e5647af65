import { useEffect, useState } from 'react';
import { api } from '../api/client';
import { useI18n } from '../i18n';
import { clampRate } from '../shaping/checkout';
import { formatNumber } from '../shaping/format';
import { Section } from './Explain';

export function TrafficControl() {
  const { lang, t } = useI18n();
  const [rate, setRate] = useState<number | null>(null);
  const [input, setInput] = useState('2');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api
      .traffic()
      .then((r) => {
        setRate(r.rate);
        setInput(String(r.rate));
      })
      .catch((e: Error) => setError(e.message));
  }, []);

  const apply = (value: number) => {
    const next = clampRate(value);
    api
      .setTraffic(next)
      .then((r) => {
        setRate(r.rate);
        setInput(String(r.rate));
        setError(null);
      })
      .catch((e: Error) => setError(e.message));
  };

  return (
    <Section title={t('ctl.traffic')} explain={t('ctl.traffic.explain')}>
      <p data-testid="traffic-rate">{t('ctl.rate', { r: rate === null ? '—' : formatNumber(rate, lang) })}</p>
      <form
        className="controls-row"
        onSubmit={(e) => {
          e.preventDefault();
          apply(Number(input));
        }}
      >
        <input type="number" min={0} max={200} step={0.5} value={input} onChange={(e) => setInput(e.target.value)} data-testid="traffic-input" aria-label={t('ctl.traffic')} />
        <button type="submit" className="primary" data-testid="traffic-apply">{t('ctl.apply')}</button>
        <button type="button" className="danger" onClick={() => apply(0)} data-testid="traffic-stop">{t('ctl.stop')}</button>
      </form>
      {error ? <p className="error">{t('common.error', { msg: error })}</p> : null}
    </Section>
  );
}
