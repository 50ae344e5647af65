import { useCallback, useEffect, useMemo, useState } from 'react';
import { DrillBanner } from './components/DrillBanner';
import { Header } from './components/Header';
import { useI18n } from './i18n';
import { NavContext, TABS, tabFromHash, type Nav, type Tab } from './nav';
import { ControlsPanel } from './panels/ControlsPanel';
import { DlqPanel } from './panels/DlqPanel';
import { FlowPanel } from './panels/FlowPanel';
import { IndicatorsPanel } from './panels/IndicatorsPanel';
import { KafkaPanel } from './panels/KafkaPanel';
import { ObservabilityPanel } from './panels/ObservabilityPanel';
import { OrdersPanel } from './panels/OrdersPanel';
import { ResultsPanel } from './panels/ResultsPanel';
import { useDashboard } from './state/useDashboard';

export function App() {
  const { t } = useI18n();
  const dash = useDashboard();
  const [tab, setTabState] = useState<Tab>(() => tabFromHash(window.location.hash));
  const [selectedOrder, setSelectedOrder] = useState<string | null>(null);

  const setTab = useCallback((next: Tab) => {
    setTabState(next);
    if (window.location.hash !== `#${next}`) window.history.replaceState(null, '', `#${next}`);
  }, []);
  const openOrder = useCallback(
    (orderId: string) => {
      setSelectedOrder(orderId);
      setTab('orders');
    },
    [setTab],
  );
  useEffect(() => {
    const onHash = () => setTabState(tabFromHash(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const nav = useMemo<Nav>(() => ({ tab, setTab, selectedOrder, openOrder }), [tab, setTab, selectedOrder, openOrder]);

  return (
    <NavContext.Provider value={nav}>
      <Header status={dash.status} dropped={dash.dropped} droppedTotal={dash.droppedTotal} />
      <DrillBanner faults={dash.faults} />
      <nav className="tabs" role="tablist">
        {TABS.map((name) => (
          <button
            key={name}
            type="button"
            role="tab"
            aria-selected={tab === name}
            className={tab === name ? 'tab on' : 'tab'}
            onClick={() => setTab(name)}
            data-testid={`tab-${name}`}
          >
            {t(`tab.${name}`)}
          </button>
        ))}
      </nav>
      <main className="content" role="tabpanel">
        {tab === 'flow' ? <FlowPanel dash={dash} /> : null}
        {tab === 'orders' ? <OrdersPanel dash={dash} /> : null}
        {tab === 'kafka' ? <KafkaPanel dash={dash} /> : null}
        {tab === 'indicators' ? <IndicatorsPanel dash={dash} /> : null}
        {tab === 'dlq' ? <DlqPanel /> : null}
        {tab === 'controls' ? <ControlsPanel /> : null}
        {tab === 'results' ? <ResultsPanel /> : null}
        {tab === 'observability' ? <ObservabilityPanel /> : null}
      </main>
    </NavContext.Provider>
  );
}
