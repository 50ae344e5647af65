"""Fan-out of telemetry to WebSocket clients: one bounded queue per client, never a blocked publisher.

The feed thread calls ``publish``/``broadcast``; each client's own WebSocket thread drains its queue. A client
that reads too slowly loses events (counted, and the count is sent to it) instead of slowing the feed or
growing the gateway's memory: the lesson of live-tail features that blocked a Kafka UI's server.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Send = Callable[[str], None]
EVENT_BATCH = 500  # events per WebSocket frame at most
FRAME_INTERVAL_S = 0.1


@dataclass(eq=False)  # identity: each client is its own browser tab
class Client:
    events: queue.Queue[dict[str, Any]]
    messages: queue.Queue[dict[str, Any]]  # stats, cluster, indicators: small and few
    dropped: int = 0
    send_lock: threading.Lock = field(default_factory=threading.Lock)
    wakeup: threading.Event = field(default_factory=threading.Event)
    # Cuts the connection from another thread: a send blocked on a tab that stopped reading never returns.
    abort: Callable[[], None] = lambda: None


class Hub:
    def __init__(self, queue_size: int = 5000) -> None:
        self.queue_size = queue_size
        self._clients: set[Client] = set()
        self._lock = threading.Lock()  # guards the client set, never held while sending
        self.dropped_total = 0

    def connect(self) -> Client:
        client = Client(queue.Queue(self.queue_size), queue.Queue(64))
        with self._lock:
            self._clients.add(client)
        return client

    def disconnect(self, client: Client) -> None:
        with self._lock:
            self._clients.discard(client)
        client.wakeup.set()

    def close_all(self) -> None:
        """Drops every connection now (the gateway is stopping): browsers see the close and reconnect."""
        with self._lock:
            clients, self._clients = list(self._clients), set()
        for client in clients:
            client.wakeup.set()
            with contextlib.suppress(OSError):
                client.abort()

    @property
    def client_count(self) -> int:
        with self._lock:
            return len(self._clients)

    def publish(self, event: dict[str, Any]) -> None:
        """One domain event to every client; a full queue drops it for that client only."""
        with self._lock:
            clients = list(self._clients)
        for client in clients:
            try:
                client.events.put_nowait(event)
            except queue.Full:
                client.dropped += 1
                self.dropped_total += 1
            client.wakeup.set()

    def broadcast(self, message: dict[str, Any]) -> None:
        """A periodic message (stats, cluster, indicators); the oldest one waiting is replaced if full."""
        with self._lock:
            clients = list(self._clients)
        for client in clients:
            while True:
                try:
                    client.messages.put_nowait(message)
                    break
                except queue.Full:
                    with contextlib.suppress(queue.Empty):
                        client.messages.get_nowait()  # a newer snapshot makes the old one worthless
            client.wakeup.set()

    def pending(self, client: Client, timeout_s: float) -> list[dict[str, Any]]:
        """What the client's thread should send next: periodic messages, then one batch of events."""
        client.wakeup.wait(timeout_s)
        client.wakeup.clear()
        out: list[dict[str, Any]] = []
        while True:
            try:
                out.append(client.messages.get_nowait())
            except queue.Empty:
                break
        events = []
        while len(events) < EVENT_BATCH:
            try:
                events.append(client.events.get_nowait())
            except queue.Empty:
                break
        if events:
            out.append({"type": "events", "events": events, "dropped": client.dropped})
        if not client.events.empty():
            client.wakeup.set()  # more to send: do not wait on the next round
        return out


def serve_client(
    hub: Hub, client: Client, send: Send, encode: Callable[[Any], str], stop: threading.Event
) -> None:
    """The loop a WebSocket handler runs: drain this client's queue until it disconnects or we stop."""
    while not stop.is_set():
        started = time.monotonic()
        for message in hub.pending(client, timeout_s=1.0):
            with client.send_lock:  # the handler thread and a closing path may both send
                send(encode(message))
        # At most ten frames a second: at thousands of events/s, batches beat one frame per event.
        stop.wait(max(0.0, FRAME_INTERVAL_S - (time.monotonic() - started)))
