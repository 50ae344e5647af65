"""The dashboard's PostgreSQL reads (read model, catalogue) and the traffic rate it controls: plain SQL."""

from __future__ import annotations

from typing import Any

from psycopg import Connection
from psycopg.rows import dict_row

MAX_RATE = 200.0
STATUS_COUNTS_WINDOW = "1 hour"
ORDER_COLUMNS = """order_id, customer_id, status, total_amount::text AS total_amount,
    (extract(epoch FROM created_at) * 1000)::bigint AS created_at,
    (extract(epoch FROM updated_at) * 1000)::bigint AS updated_at"""


def list_orders(
    conn: Connection,
    status: str | None,
    prefix: str | None,
    customer: str | None,
    since_s: int | None,
    limit: int,
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    where, args = ["true"], []
    if status:
        where.append("status = %s")
        args.append(status)
    if prefix:
        where.append("order_id LIKE %s")
        args.append(prefix.replace("%", r"\%").replace("_", r"\_") + "%")
    if customer:
        where.append("customer_id = %s")
        args.append(customer)
    if since_s:
        where.append("created_at >= now() - make_interval(secs => %s)")
        args.append(since_s)
    with conn.cursor(row_factory=dict_row) as cursor:
        rows = cursor.execute(
            f"""SELECT {ORDER_COLUMNS}
                FROM orders WHERE {" AND ".join(where)} ORDER BY created_at DESC LIMIT %s""",
            [*args, limit],
        ).fetchall()
    counts = dict(
        conn.execute(
            f"""SELECT status, count(*) FROM orders
                WHERE created_at >= now() - interval '{STATUS_COUNTS_WINDOW}' GROUP BY status"""
        ).fetchall()
    )
    return rows, counts


def get_order(conn: Connection, order_id: str) -> dict[str, Any] | None:
    with conn.cursor(row_factory=dict_row) as cursor:
        return cursor.execute(
            f"SELECT {ORDER_COLUMNS} FROM orders WHERE order_id = %s", (order_id,)
        ).fetchone()


def order_events(conn: Connection, order_id: str) -> list[dict[str, Any]]:
    with conn.cursor(row_factory=dict_row) as cursor:
        return cursor.execute(
            """SELECT event_id::text AS event_id, order_id, event_type, topic, partition, "offset",
                      (extract(epoch FROM occurred_at) * 1000)::bigint AS occurred_at,
                      (extract(epoch FROM record_ts) * 1000)::bigint AS record_ts,
                      (extract(epoch FROM consumed_at) * 1000)::bigint AS consumed_at,
                      payload
               FROM order_events WHERE order_id = %s""",
            (order_id,),
        ).fetchall()


def catalog(conn: Connection, limit: int = 100) -> dict[str, list[dict[str, Any]]]:
    with conn.cursor(row_factory=dict_row) as cursor:
        products = cursor.execute(
            """SELECT product_id, name, price::text AS price FROM products WHERE active
               ORDER BY product_id LIMIT %s""",
            (limit,),
        ).fetchall()
        customers = cursor.execute(
            "SELECT customer_id, name FROM customers ORDER BY customer_id LIMIT %s", (limit,)
        ).fetchall()
    return {"products": products, "customers": customers}


def traffic_rate(conn: Connection) -> float | None:
    """The rate the dashboard asked for; None when nobody set one (the generator keeps its own)."""
    row = conn.execute("SELECT rate FROM traffic_control WHERE id = 1").fetchone()
    return None if row is None else float(row[0])


def set_traffic_rate(conn: Connection, rate: float) -> None:
    conn.execute(
        """INSERT INTO traffic_control (id, rate) VALUES (1, %s)
           ON CONFLICT (id) DO UPDATE SET rate = excluded.rate, updated_at = now()""",
        (rate,),
    )
