"""Checkout traffic: orders posted to the gateway on a fixed schedule, with random customers and products.

Requests are sent on schedule (open loop) rather than after the previous answer, so a slow gateway shows up as
latency instead of silently lowering the rate.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import click
import httpx
import psycopg

from gateway.telemetry.store import traffic_rate
from processors.settings import get_settings


@dataclass
class TrafficResult:
    accepted: list[str] = field(default_factory=list)  # order ids answered 202
    rejected: dict[int, int] = field(default_factory=dict)  # HTTP status -> count
    failed: int = 0  # no answer (connection refused, timeout): outcome unknown
    accept_latencies_s: list[float] = field(default_factory=list)  # from the scheduled send time
    scheduled_at: dict[str, float] = field(default_factory=dict)  # order id -> wall-clock send schedule
    lock: threading.Lock = field(default_factory=threading.Lock)


def random_order(rng: random.Random, customers: int, products: int) -> dict:
    lines = rng.randint(1, 3)
    chosen = rng.sample(range(1, products + 1), lines)
    return {
        "customer_id": f"c-{rng.randint(1, customers):04d}",
        "items": [{"product_id": f"p-{p:04d}", "quantity": rng.randint(1, 3)} for p in chosen],
    }


def send_orders(
    base_url: str,
    count: int | None,
    rate: float,
    duration_s: float | None = None,
    *,
    customers: int = 50,
    products: int = 20,
    seed: int | None = None,
    stop: Callable[[], bool] = lambda: False,
    progress: Callable[[int], None] | None = None,
) -> TrafficResult:
    """Post ``count`` orders (or for ``duration_s``) at ``rate``/s, each with its own Idempotency-Key;
    ``progress`` hears how many were sent, about once a second."""
    rng = random.Random(seed)
    result = TrafficResult()
    started = time.monotonic()
    with httpx.Client(base_url=base_url, timeout=10) as client, ThreadPoolExecutor(max_workers=32) as pool:
        sent = 0
        while not stop():
            if count is not None and sent >= count:
                break
            if duration_s is not None and time.monotonic() - started >= duration_s:
                break
            due = started + sent / rate
            time.sleep(max(0.0, due - time.monotonic()))  # the schedule itself, not a synchronisation
            pool.submit(_post, client, random_order(rng, customers, products), result, due)
            sent += 1
            if progress and sent % max(1, round(rate)) == 0:
                progress(sent)
    return result


def _post(client: httpx.Client, order: dict, result: TrafficResult, due: float) -> None:
    # Latency counts from when the request was due, not from when a worker got to it: a backed-up client
    # must show up as latency (no coordinated omission).
    wall_due = time.time() - (time.monotonic() - due)
    try:
        response = client.post("/orders", json=order, headers={"Idempotency-Key": str(uuid.uuid4())})
    except httpx.HTTPError:
        with result.lock:
            result.failed += 1
        return
    with result.lock:
        if response.status_code == 202:
            order_id = response.json()["order_id"]
            result.accepted.append(order_id)
            result.accept_latencies_s.append(time.monotonic() - due)
            result.scheduled_at[order_id] = wall_due
        else:
            result.rejected[response.status_code] = result.rejected.get(response.status_code, 0) + 1


def follow_control(
    base_url: str,
    database_url: str,
    stop: Callable[[], bool] = lambda: False,
    result: TrafficResult | None = None,
) -> TrafficResult:
    """Post orders at the rate stored in ``traffic_control`` (set by the dashboard), re-read every second."""
    rng = random.Random()
    result = result if result is not None else TrafficResult()
    rate, read_at = 0.0, 0.0
    due = time.monotonic()
    with (
        psycopg.connect(database_url, autocommit=True) as conn,
        httpx.Client(base_url=base_url, timeout=10) as client,
        ThreadPoolExecutor(max_workers=32) as pool,
    ):
        while not stop():
            if time.monotonic() - read_at >= 1.0:
                rate, read_at = traffic_rate(conn) or 0.0, time.monotonic()
            if rate <= 0:
                time.sleep(0.2)  # idle until the dashboard asks for traffic; re-read the rate then
                due = time.monotonic()
                continue
            due = max(due, time.monotonic() - 1.0)  # after a pause or a rate change, no burst to catch up
            time.sleep(max(0.0, due - time.monotonic()))  # the schedule itself, not a synchronisation
            pool.submit(_post, client, random_order(rng, 50, 20), result, due)
            due += 1 / rate
    return result


@click.command("traffic")
@click.option(
    "--rate", default=2.0, show_default=True, type=click.FloatRange(min=0.01), help="Pedidos por segundo."
)
@click.option("--count", type=click.IntRange(1), default=None, help="Quantos pedidos (padrão: sem fim).")
@click.option("--url", default=None, help="Gateway (padrão: http://127.0.0.1:PEDIDOS_GATEWAY_PORT).")
@click.option(
    "--follow",
    is_flag=True,
    help="Segue a taxa definida no painel (tabela traffic_control) / follow the dashboard's rate.",
)
def traffic(rate: float, count: int | None, url: str | None, follow: bool) -> None:
    """Gerador de pedidos / order traffic generator."""
    settings = get_settings()
    base_url = url or f"http://{settings.host}:{settings.gateway_port}"
    if follow:
        click.echo(f"Seguindo a taxa do painel, enviando a {base_url} / following the dashboard's rate")
        follow_control(base_url, settings.database_url)
        return
    click.echo(f"Enviando pedidos a {rate}/s para {base_url} / sending orders")
    result = send_orders(base_url, count, rate)
    click.echo(
        f"aceitos / accepted: {len(result.accepted)}, recusados / rejected: {result.rejected}, "
        f"sem resposta / no answer: {result.failed}"
    )
