"""The ``alerts`` table (sql/010_alerts.sql): Alertmanager's notifications kept per episode, plain SQL."""

from __future__ import annotations

from typing import Any

from psycopg import Connection
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from gateway.observability.alert_payload import Alert

RECENT_WINDOW = "1 hour"
MAX_LISTED = 200
_COLUMNS = """fingerprint, name, status, labels->>'severity' AS severity, labels->>'service' AS service,
    labels, annotations,
    floor(extract(epoch FROM starts_at) * 1000)::bigint AS starts_at,
    floor(extract(epoch FROM ends_at) * 1000)::bigint AS ends_at,
    floor(extract(epoch FROM received_at) * 1000)::bigint AS received_at"""


def save_alerts(conn: Connection, alerts: list[Alert]) -> None:
    """Upserts each episode. A firing repeat that arrives after the resolution (a retried send) never makes a
    resolved episode active again; a new episode ends an older one whose resolution never arrived (the gateway
    was down when Alertmanager sent it)."""
    with conn.transaction(), conn.cursor() as cursor:
        cursor.executemany(
            """UPDATE alerts SET status = 'resolved', ends_at = %s, received_at = now()
               WHERE fingerprint = %s AND starts_at < %s AND status = 'firing'""",
            [(a.starts_at, a.fingerprint, a.starts_at) for a in alerts],
        )
        cursor.executemany(
            """INSERT INTO alerts (fingerprint, starts_at, name, status, labels, annotations, ends_at)
               VALUES (%s, %s, %s, %s, %s, %s, %s)
               ON CONFLICT (fingerprint, starts_at) DO UPDATE
                 SET status = EXCLUDED.status, labels = EXCLUDED.labels, annotations = EXCLUDED.annotations,
                     ends_at = EXCLUDED.ends_at, received_at = now()
                 WHERE alerts.status = 'firing' OR EXCLUDED.status = 'resolved'""",
            [
                (
                    a.fingerprint,
                    a.starts_at,
                    a.name,
                    a.status,
                    Jsonb(a.labels),
                    Jsonb(a.annotations),
                    a.ends_at,
                )
                for a in alerts
            ],
        )


def list_alerts(conn: Connection) -> dict[str, list[dict[str, Any]]]:
    """Firing ones (oldest first: the longest outage leads) and the ones resolved in the last hour (newest
    first)."""
    with conn.cursor(row_factory=dict_row) as cursor:
        active = cursor.execute(
            f"SELECT {_COLUMNS} FROM alerts WHERE status = 'firing' ORDER BY alerts.starts_at LIMIT %s",
            (MAX_LISTED,),
        ).fetchall()
        recent = cursor.execute(
            f"""SELECT {_COLUMNS} FROM alerts
                WHERE status = 'resolved' AND alerts.ends_at > now() - interval '{RECENT_WINDOW}'
                ORDER BY alerts.ends_at DESC LIMIT %s""",
            (MAX_LISTED,),
        ).fetchall()
    return {"active": active, "recent": recent}
