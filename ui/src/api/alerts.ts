// GET /api/alerts (gateway/telemetry/API.md "Alertas / alerts"): what Alertmanager delivered to the gateway.

export interface AlertItem {
  fingerprint: string;
  name: string;
  status: 'firing' | 'resolved';
  severity: string | null;
  service: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  starts_at: number;
  ends_at: number | null;
  received_at: number;
}

export interface AlertsResponse {
  active: AlertItem[];
  recent: AlertItem[];
}
