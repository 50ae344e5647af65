import threading

from gateway.telemetry.hub import EVENT_BATCH, Hub, serve_client


def test_a_slow_client_loses_events_and_is_told_how_many_the_others_lose_none():
    hub = Hub(queue_size=3)
    slow, fast = hub.connect(), hub.connect()
    for i in range(3):
        hub.publish({"offset": i})
    assert [m["events"] for m in hub.pending(fast, 0)] == [[{"offset": 0}, {"offset": 1}, {"offset": 2}]]
    for i in range(3, 5):
        hub.publish({"offset": i})  # slow still holds 0..2: 3 and 4 are dropped for it only
    [slow_batch] = hub.pending(slow, 0)
    assert [e["offset"] for e in slow_batch["events"]] == [0, 1, 2]
    assert slow_batch["dropped"] == 2
    [fast_batch] = hub.pending(fast, 0)
    assert [e["offset"] for e in fast_batch["events"]] == [3, 4]
    assert fast_batch["dropped"] == 0
    assert hub.dropped_total == 2


def test_periodic_messages_come_first_and_a_full_queue_keeps_the_newest():
    hub = Hub()
    client = hub.connect()
    hub.publish({"offset": 1})
    for at in range(100):  # far more than the 64 kept: the oldest snapshots give way
        hub.broadcast({"type": "stats", "at": at})
    messages = hub.pending(client, 0)
    assert messages[-1]["type"] == "events"
    stats = [m["at"] for m in messages[:-1]]
    assert stats[-1] == 99 and len(stats) == 64


def test_events_leave_in_batches_and_a_disconnected_client_gets_nothing():
    hub = Hub(queue_size=EVENT_BATCH * 3)
    client = hub.connect()
    for i in range(EVENT_BATCH + 1):
        hub.publish({"offset": i})
    assert len(hub.pending(client, 0)[0]["events"]) == EVENT_BATCH
    assert client.wakeup.is_set()  # one event still waits: the next round must not sleep
    hub.disconnect(client)
    hub.publish({"offset": -1})
    assert hub.client_count == 0


def test_serve_client_sends_encoded_messages_until_stopped():
    hub = Hub()
    client = hub.connect()
    sent: list[str] = []
    stop = threading.Event()

    def send(text: str) -> None:
        sent.append(text)
        stop.set()

    hub.publish({"offset": 7})
    serve_client(hub, client, send, lambda m: f"{m['type']}:{len(m['events'])}", stop)
    assert sent == ["events:1"]


def test_closing_cuts_every_connection_even_one_stuck_in_a_send():
    hub = Hub()
    cut: list[str] = []
    stuck, idle = hub.connect(), hub.connect()
    stuck.abort = lambda: cut.append("stuck")
    idle.abort = lambda: cut.append("idle")
    hub.close_all()
    assert sorted(cut) == ["idle", "stuck"]
    assert hub.client_count == 0
