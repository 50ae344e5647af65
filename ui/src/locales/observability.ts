// The Observability tab's own words (panel titles and explanations come from the gateway, from
// gateway/observability/panels.py, in both languages). Spread into pt.ts and en.ts.

export const observabilityPt = {
  'tab.observability': 'Observabilidade',
  'obs.title': 'Observabilidade: o que o Prometheus vê',
  'obs.explain':
    'Os mesmos painéis do dashboard do Grafana (compose/grafana/dashboards/pedidos.json), desenhados a partir do Prometheus, que lê o /metrics de cada processador, do gateway, dos brokers (agente JMX), do registry e do PostgreSQL (exporter) a cada poucos segundos. O gateway só executa as consultas destes painéis. Atualiza a cada 10 s.',
  'obs.range': 'Intervalo',
  'obs.range.15m': '15 min',
  'obs.range.1h': '1 h',
  'obs.range.6h': '6 h',
  'obs.service': 'Serviço',
  'obs.service.all': 'todos',
  'obs.service.note': 'filtra os painéis por processador',
  'obs.unreachable': 'O Prometheus não responde.',
  'obs.unreachable.hint': 'Ele sobe com o resto do stack; para subir só o que falta:',
  'obs.noData': 'sem dados neste intervalo',
  'obs.promql': 'PromQL',
  'obs.perService': 'Muda com o serviço escolhido ({service}).',
  'obs.updated': 'atualizado às {time}',
};

export const observabilityEn: Record<keyof typeof observabilityPt, string> = {
  'tab.observability': 'Observability',
  'obs.title': 'Observability: what Prometheus sees',
  'obs.explain':
    "The same panels as the Grafana board (compose/grafana/dashboards/pedidos.json), drawn from Prometheus, which reads the /metrics of every processor, the gateway, the brokers (JMX agent), the registry and PostgreSQL (exporter) every few seconds. The gateway only runs these panels' queries. Refreshes every 10 s.",
  'obs.range': 'Range',
  'obs.range.15m': '15 min',
  'obs.range.1h': '1 h',
  'obs.range.6h': '6 h',
  'obs.service': 'Service',
  'obs.service.all': 'all',
  'obs.service.note': 'filters the panels by processor',
  'obs.unreachable': 'Prometheus is not reachable.',
  'obs.unreachable.hint': 'It starts with the rest of the stack; to start whatever is missing:',
  'obs.noData': 'no data in this range',
  'obs.promql': 'PromQL',
  'obs.perService': 'Follows the chosen service ({service}).',
  'obs.updated': 'updated at {time}',
};
