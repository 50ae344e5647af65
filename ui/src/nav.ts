// Navigation between tabs, shared through context so any order id can link to its timeline.
import { createContext, useContext } from 'react';

export const TABS = ['flow', 'orders', 'kafka', 'indicators', 'dlq', 'controls', 'results', 'observability'] as const;
export type Tab = (typeof TABS)[number];

export interface Nav {
  tab: Tab;
  setTab(tab: Tab): void;
  selectedOrder: string | null;
  /** Selects the order and switches to the Orders tab. */
  openOrder(orderId: string): void;
}

export const NavContext = createContext<Nav>({
  tab: 'flow',
  setTab: () => undefined,
  selectedOrder: null,
  openOrder: () => undefined,
});

export const useNav = (): Nav => useContext(NavContext);

/** Tab from the URL hash (#orders), so a reload keeps the tab. */
export function tabFromHash(hash: string): Tab {
  const name = hash.replace(/^#/, '');
  return (TABS as readonly string[]).includes(name) ? (name as Tab) : 'flow';
}
