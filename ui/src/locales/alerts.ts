// The header's alerts (components/AlertsBadge.tsx). pt-BR first; spread into pt.ts and en.ts (the type checker
// keeps the keys equal).

export const alertsPt = {
  'alerts.badge': 'alertas: {n}',
  'alerts.title': 'Alertas do Prometheus (via Alertmanager): {n} disparando. Clique para ver a lista.',
  'alerts.active': 'Disparando',
  'alerts.recent': 'Resolvidos na última hora',
  'alerts.none': 'Nenhum alerta disparando.',
  'alerts.since': 'desde {time} (há {age})',
  'alerts.resolvedAt': 'resolvido às {time}',
  'alerts.error': 'Alertas indisponíveis: {msg}',
  'alerts.severity.page': 'urgente',
  'alerts.severity.warn': 'atenção',
  'alerts.explain': 'O Prometheus avalia as regras de alerta; o Alertmanager entrega ao gateway o que dispara e o que resolve; este quadro consulta o gateway a cada 5 s. O que cada alerta significa e o que fazer: docs/alerts.md.',
};

export const alertsEn: Record<keyof typeof alertsPt, string> = {
  'alerts.badge': 'alerts: {n}',
  'alerts.title': 'Prometheus alerts (through Alertmanager): {n} firing. Click for the list.',
  'alerts.active': 'Firing',
  'alerts.recent': 'Resolved in the last hour',
  'alerts.none': 'No alert firing.',
  'alerts.since': 'since {time} ({age} ago)',
  'alerts.resolvedAt': 'resolved at {time}',
  'alerts.error': 'Alerts unavailable: {msg}',
  'alerts.severity.page': 'page',
  'alerts.severity.warn': 'warn',
  'alerts.explain': 'Prometheus evaluates the alert rules; Alertmanager delivers what fires and what resolves to the gateway; this box asks the gateway every 5 s. What each alert means and what to do: docs/alerts.md.',
};
