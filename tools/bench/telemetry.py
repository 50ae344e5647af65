"""`pedidos bench telemetry`: how well the dashboard's fan-out keeps up.

A real gateway (gunicorn, as `make run` starts it) follows a topic of its own; a transactional producer writes
to it at a fixed rate, committing every 100 ms; N WebSocket clients count what reaches them. Each record's key
names its transaction, so a client can tell the delay from that transaction's commit to its own receipt.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import click
import httpx
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic
from simple_websocket import Client as WebSocketClient
from simple_websocket import ConnectionClosed

from gateway.command import gunicorn_argv
from processors.settings import get_settings
from tools.bench.telemetry_report import telemetry_report
from tools.load.command import percentile
from tools.reports import json_option, out_dir_option, publish, write_json
from tools.stack.procs import free_port
from tools.text import lang_option

COMMIT_INTERVAL_S = 0.1


@dataclass
class Receiver:
    """One WebSocket client: when each transaction's records arrived, and what the server said it dropped."""

    url: str
    receipts: list[tuple[str, float]] = field(default_factory=list)  # (transaction key, received at)
    dropped: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def received(self, measured: dict[str, float]) -> int:
        return sum(1 for key, _ in self.receipts if key in measured)

    def delays_s(self, committed_at: dict[str, float]) -> list[float]:
        # Joined after the run: read_committed readers may see a record before commit_transaction() returns.
        return [at - committed_at[key] for key, at in self.receipts if key in committed_at]

    def run(self, measuring: threading.Event) -> None:
        ws = WebSocketClient.connect(self.url)
        try:
            while not self.stop.is_set():
                try:
                    text = ws.receive(timeout=0.5)
                except ConnectionClosed:
                    return
                if not text:
                    continue
                now = time.time()
                message = json.loads(text)
                if message.get("type") != "events" or not measuring.is_set():
                    continue
                self.dropped = message["dropped"]
                self.receipts += [(event["order_id"], now) for event in message["events"]]
        finally:
            ws.close()


def produce(
    bootstrap: str, topic: str, rate: float, seconds: float, committed_at: dict[str, float], phase: str
) -> int:
    producer = Producer(
        {"bootstrap.servers": bootstrap, "transactional.id": f"bench-telemetry-{uuid.uuid4().hex[:6]}"}
    )
    producer.init_transactions(30)
    per_batch = max(1, round(rate * COMMIT_INTERVAL_S))
    started, sent, batch = time.monotonic(), 0, 0
    while time.monotonic() - started < seconds:
        due = started + batch * COMMIT_INTERVAL_S
        time.sleep(max(0.0, due - time.monotonic()))  # the producer's schedule, not a synchronisation
        key = f"{phase}-{batch}"
        producer.begin_transaction()
        for i in range(per_batch):
            producer.produce(topic, key=key, value=json.dumps({"n": sent + i}).encode())
        producer.commit_transaction(30)
        committed_at[key] = time.time()
        sent += per_batch
        batch += 1
    return sent


def run_bench(clients: int, rate: float, seconds: float, log_path: Path) -> dict:
    settings = get_settings()
    topic = f"bench.telemetry.{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": settings.bootstrap_servers})
    admin.create_topics([NewTopic(topic, 6, settings.kafka_brokers)])[topic].result(30)
    port = free_port()
    env = {**os.environ, "PEDIDOS_TELEMETRY_TOPICS": topic, "PEDIDOS_GATEWAY_THREADS": str(clients + 8)}
    with log_path.open("ab") as log:
        gateway = subprocess.Popen(gunicorn_argv(settings.host, port), env=env, stdout=log, stderr=log)
    base = f"http://{settings.host}:{port}"
    committed_at: dict[str, float] = {}
    measuring = threading.Event()
    receivers = [Receiver(f"ws://{settings.host}:{port}/ws") for _ in range(clients)]
    threads: list[threading.Thread] = []
    try:
        _wait_healthy(base, gateway)
        httpx.get(f"{base}/api/events/recent", timeout=30)  # starts the gateway's feed before we produce
        threads = [threading.Thread(target=r.run, args=(measuring,), daemon=True) for r in receivers]
        for thread in threads:
            thread.start()
        click.echo(f"  {clients} clientes conectados; aquecendo / warming up 3 s")
        produce(settings.bootstrap_servers, topic, rate, 3, {}, "warm-up")
        measuring.set()
        click.echo(f"  medindo / measuring {seconds:g} s a {rate:g} eventos/s")
        started = time.monotonic()
        sent = produce(settings.bootstrap_servers, topic, rate, seconds, committed_at, "measured")
        elapsed = time.monotonic() - started
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(
            r.received(committed_at) + r.dropped < sent for r in receivers
        ):
            time.sleep(0.2)  # clients catching up with the tail, under the deadline
    finally:
        for receiver in receivers:
            receiver.stop.set()
        for thread in threads:
            thread.join(timeout=5)
        gateway.terminate()
        gateway.wait(timeout=30)
        admin.delete_topics([topic])
    by_client = [r.delays_s(committed_at) for r in receivers]
    delays = [d for client in by_client for d in client]
    return {
        "clients": clients,
        "rate_per_s": rate,
        "seconds": round(elapsed, 1),
        "events_sent": sent,
        "events_per_s_sent": round(sent / elapsed, 1),
        "events_received_per_client": [r.received(committed_at) for r in receivers],
        "events_per_s_per_client": [round(r.received(committed_at) / elapsed, 1) for r in receivers],
        "events_per_s_all_clients": round(sum(r.received(committed_at) for r in receivers) / elapsed, 1),
        "commit_to_client_ms": _delay_ms(delays),
        "commit_to_client_ms_per_client": [_delay_ms(client) for client in by_client],
        "dropped_per_client": [r.dropped for r in receivers],
        "dropped_total": sum(r.dropped for r in receivers),
    }


def _delay_ms(delays_s: list[float]) -> dict[str, float]:
    return {f"p{q}": round(percentile(delays_s, q) * 1000, 1) for q in (50, 99)}


def _wait_healthy(base: str, gateway: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if gateway.poll() is not None:
            raise click.ClickException(f"gateway saiu / exited with {gateway.returncode}")
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)  # between health probes, under the deadline
    raise click.ClickException("gateway não ficou saudável em 60 s / not healthy in 60 s")


@click.command("telemetry")
@click.option("--clients", default=10, show_default=True, type=click.IntRange(1, 50))
@click.option(
    "--rate", default=2000.0, show_default=True, type=click.FloatRange(10, 20_000), help="Eventos/s."
)
@click.option("--seconds", default=20.0, show_default=True, type=click.FloatRange(3, 600))
@json_option
@lang_option
@out_dir_option
def telemetry(
    clients: int, rate: float, seconds: float, json_path: Path | None, lang: str, out_dir: Path | None
) -> None:
    """Vazão do painel: N clientes WebSocket a X eventos/s / dashboard fan-out benchmark."""
    settings = get_settings()
    log_path = settings.state_dir / "logs" / "bench-telemetry-gateway.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    report = run_bench(clients, rate, seconds, log_path)
    publish(telemetry_report(report), out_dir, lang=lang)
    write_json(json_path, report)
