import { useEffect, useState } from 'react';
import type { ConnectionStatus } from '../api/socket';
import { useI18n } from '../i18n';
import { secondsUntil } from '../shaping/backoff';
import { AlertsBadge } from './AlertsBadge';

interface Props {
  status: ConnectionStatus;
  dropped: number;
  droppedTotal: number;
}

export function Header({ status, dropped, droppedTotal }: Props) {
  const { lang, setLang, t } = useI18n();
  const [now, setNow] = useState(() => Date.now());
  const down = status.state !== 'open' && (status.everOpened || status.attempt > 0);
  useEffect(() => {
    if (!down) return;
    const id = window.setInterval(() => setNow(Date.now()), 250);
    return () => window.clearInterval(id);
  }, [down]);
  const seconds = status.retryAt !== null ? secondsUntil(status.retryAt, now) : 0;
  return (
    <>
      <header className="app-header">
        <div className="brand">
          <h1>Pedidos com Kafka</h1>
          <span className="subtitle">{t('app.subtitle')}</span>
        </div>
        <div className="header-right">
          <AlertsBadge />
          <span className="dropped" title={t('dropped.title', { total: droppedTotal })} data-testid="dropped">
            {t('dropped', { n: dropped })} <span className="dropped-total">({t('dropped.total', { n: droppedTotal })})</span>
          </span>
          <span className={`conn conn-${status.state}`} title={t('conn.title')} data-testid="connection-status">
            <span className="dot" aria-hidden="true" />
            {t(`conn.${status.state}`)}
          </span>
          <button type="button" className="lang" onClick={() => setLang(lang === 'pt' ? 'en' : 'pt')} aria-label={t('lang.switch')}>
            <span className={lang === 'pt' ? 'on' : ''}>PT</span> / <span className={lang === 'en' ? 'on' : ''}>EN</span>
          </button>
        </div>
      </header>
      {down ? (
        <div className="banner-down" role="alert" data-testid="disconnected-banner">
          {status.state === 'closed' && seconds > 0 ? t('banner.countdown', { s: seconds }) : t('banner.now')}
        </div>
      ) : null}
    </>
  );
}
