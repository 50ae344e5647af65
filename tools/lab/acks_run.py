"""The acks lab's experiments against its throwaway cluster: produce numbered records, kill the leader, count.

Each acks setting gets a fresh topic (1 partition, RF 3, min ISR 2, unclean election off). A producer sends
records 0, 1, 2... at a steady rate and keeps every delivery report while the partition leader is SIGKILLed,
a new leader takes over, and the old one restarts and rejoins the ISR. Then the whole partition is read
(read_uncommitted) and `acks_analysis.count` says what was lost, duplicated or written without an ack.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, Producer, TopicPartition
from confluent_kafka.admin import NewTopic

from tools.lab.acks_analysis import AcksCounts, Delivery, count
from tools.lab.cluster import LabCluster, PartitionState
from tools.stack.procs import StackError, wait_until

Say = Callable[..., None]
KILL_AT = 0.25  # share of the producing time before the leader is killed: the producer is in full stride


@dataclass(frozen=True)
class AcksSetting:
    key: str
    label: str
    acks: str
    idempotence: bool


SETTINGS = (
    AcksSetting("acks-0", "acks=0", "0", False),
    # librdkafka refuses acks other than all with idempotence on, so acks=1 runs without it.
    AcksSetting("acks-1", "acks=1", "1", False),
    AcksSetting("acks-all", "acks=all + idempotence", "all", True),
)
UNCLEAN = AcksSetting("unclean", "acks=1 + unclean election", "1", False)


@dataclass
class ScenarioResult:
    key: str
    label: str
    acks: str
    idempotence: bool
    topic: str
    counts: AcksCounts
    leader_killed: int
    new_leader: int | None
    leader_change_s: float | None  # kill -> another node reported as leader
    back_in_isr_s: float | None  # kill -> the killed node back in the ISR
    produce_s: float
    unclean_election: bool = False  # the new leader was not in the ISR when the old one died
    timeline: list[tuple[float, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "acks": self.acks,
            "idempotence": self.idempotence,
            "topic": self.topic,
            "counts": self.counts.as_dict(),
            "leader_killed": self.leader_killed,
            "new_leader": self.new_leader,
            "leader_change_s": _round(self.leader_change_s),
            "back_in_isr_s": _round(self.back_in_isr_s),
            "produce_s": _round(self.produce_s),
            "unclean_election": self.unclean_election,
            "timeline": [{"at_s": round(at, 2), "event": what} for at, what in self.timeline],
        }


class NumberedProducer:
    """Sends 0, 1, 2... as keys at ``rate`` records/s from a thread, keeping every delivery report."""

    def __init__(self, cluster: LabCluster, topic: str, setting: AcksSetting, rate: float, log: Path) -> None:
        self.topic, self.rate = topic, rate
        self.timeout_ms = cluster.settings.lab_message_timeout_ms
        logger = _file_logger(log)
        self._producer = Producer(
            {
                "bootstrap.servers": cluster.bootstrap_servers,
                "acks": setting.acks,
                "enable.idempotence": setting.idempotence,
                "linger.ms": 5,
                # Bounded, so every record gets a report before the count: acked or failed, never unknown.
                "message.timeout.ms": self.timeout_ms,
                "logger": logger,
                "error_cb": lambda error: logger.warning("producer error: %s", error),
            }
        )
        self.sent = 0
        self.deliveries: dict[int, Delivery] = {}
        self.started = 0.0
        self._stop = threading.Event()
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"lab-producer-{topic}", daemon=True)

    def start(self) -> float:
        self.started = time.monotonic()
        self._thread.start()
        return self.started

    def check(self) -> None:
        if self._failure is not None:
            raise StackError(f"the lab producer failed: {self._failure!r}") from self._failure

    def close(self) -> float:
        """Stop sending and wait for every outstanding report; returns the seconds spent producing."""
        self._stop.set()
        self._thread.join()
        produced_s = time.monotonic() - self.started
        self.check()
        left = self._producer.flush(self.timeout_ms / 1000 + 30)
        if left:
            raise StackError(f"{left} records still without a delivery report after the message timeout")
        return produced_s

    def _run(self) -> None:
        value = b"x" * 100  # a realistic small record; its content plays no part in the count
        try:
            while not self._stop.is_set():
                due = min(int((time.monotonic() - self.started) * self.rate), self.sent + 1000)
                while self.sent < due:
                    seq = self.sent
                    try:
                        self._producer.produce(
                            self.topic, value, str(seq).encode(), on_delivery=self._reporter(seq)
                        )
                    except BufferError:  # queue full while no leader takes writes: wait for room
                        self._producer.poll(0.05)
                        break
                    self.sent += 1
                self._producer.poll(0.002)  # serves the reports and paces the loop
        except BaseException as error:
            self._failure = error

    def _reporter(self, seq: int) -> Callable[[KafkaError | None, Message], None]:
        def report(error: KafkaError | None, _message: Message) -> None:
            self.deliveries[seq] = Delivery(
                error is None, time.monotonic() - self.started, None if error is None else error.name()
            )

        return report


class Experiment:
    """One scenario once its topic is ready: the numbered producer, the timeline of what was done to the
    cluster (seconds since the first record), and the count at the end."""

    def __init__(
        self, cluster: LabCluster, topic: str, setting: AcksSetting, rate: float, seconds: float, say: Say
    ) -> None:
        self.cluster, self.topic, self.setting, self.say = cluster, topic, setting, say
        self.first = _warm_up(cluster, topic)
        log = cluster.root / "logs" / "producer.log"
        self.producer = NumberedProducer(cluster, topic, setting, rate, log)
        self.started = self.producer.start()
        self.timeline: list[tuple[float, str]] = [(0.0, "producing")]
        say("producing", rate=rate, seconds=seconds)

    def mark(self, event: str, at: float | None = None) -> None:
        """Put an event on the timeline, at ``at`` (time.monotonic()) or now."""
        self.timeline.append(((time.monotonic() if at is None else at) - self.started, event))

    def hold(self, until: float) -> None:
        """Let the producer run until a point of the schedule, failing fast if it broke."""
        while time.monotonic() < until:
            self.producer.check()
            time.sleep(min(0.05, max(0.0, until - time.monotonic())))

    def wait(self, condition: Callable[[PartitionState], bool], what: str) -> PartitionState:
        """The partition's state once it meets the condition, the producer checked while waiting."""
        timeout = self.cluster.settings.startup_timeout_s
        return _wait_partition(self.cluster, self.topic, condition, timeout, what, self.producer)

    def finish(
        self,
        leader_killed: int,
        new_leader: int | None,
        leader_change_s: float | None,
        back_in_isr_s: float | None,
        unclean_election: bool = False,
    ) -> ScenarioResult:
        """Stop producing, wait for every report, read the partition back and count."""
        self.say("flushing", sent=self.producer.sent)
        produce_s = self.producer.close()
        _wait_settled_high_watermark(self.cluster, self.topic)
        self.say("reading", topic=self.topic)
        log = read_partition(self.cluster.bootstrap_servers, self.topic, self.first)
        setting = self.setting
        return ScenarioResult(
            setting.key,
            setting.label,
            setting.acks,
            setting.idempotence,
            self.topic,
            count(self.producer.sent, self.producer.deliveries, log),
            leader_killed,
            new_leader,
            leader_change_s,
            back_in_isr_s,
            produce_s,
            unclean_election=unclean_election,
            timeline=self.timeline,
        )


def run_failover(
    cluster: LabCluster, setting: AcksSetting, seconds: float, rate: float, say: Say
) -> ScenarioResult:
    """Produce while the partition leader is SIGKILLed, replaced, restarted and back in the ISR."""
    timeout = cluster.settings.startup_timeout_s
    topic = f"lab-acks.{setting.key}.{uuid.uuid4().hex[:8]}"
    _create_topic(cluster, topic, 3, {"min.insync.replicas": "2", "unclean.leader.election.enable": "false"})
    initial = _wait_partition(
        cluster, topic, lambda p: p.leader >= 0 and len(p.isr) == 3, timeout, "ISR of 3"
    )
    say("topic", setting=setting.label, topic=topic, leader=initial.leader, isr=_nodes(initial.isr))

    run = Experiment(cluster, topic, setting, rate, seconds, say)
    run.hold(run.started + seconds * KILL_AT)

    state = cluster.partition(topic) or initial
    victim = state.leader
    killed_at = time.monotonic()
    cluster.kill(victim)
    run.mark(f"SIGKILL node {victim}", at=killed_at)
    say("killed", node=victim, sent=run.producer.sent)

    after = run.wait(lambda p: p.leader not in (-1, victim), "a new leader")
    change_s = time.monotonic() - killed_at
    run.mark(f"leader {after.leader}")
    say("new_leader", node=after.leader, seconds=change_s, isr=_nodes(after.isr))

    cluster.restart(victim)
    run.mark(f"restart node {victim}")
    say("restarted", node=victim)
    run.wait(lambda p: victim in p.isr, f"node {victim} in the ISR")
    back_s = time.monotonic() - killed_at
    run.mark(f"node {victim} in ISR")
    say("back_in_isr", node=victim, seconds=back_s)

    run.hold(run.started + seconds)
    return run.finish(victim, after.leader, change_s, back_s)


def run_unclean(cluster: LabCluster, seconds: float, rate: float, say: Say) -> ScenarioResult:
    """acks=1 while the follower is dead, then the leader dies and the stale follower is elected anyway.

    The controller quorum lives on the same three nodes and needs two of them up to elect anyone. So this
    topic has two replicas (leader and follower) and the third node only keeps the quorum alive: with every
    in-sync replica down, only unclean.leader.election.enable=true lets the stale follower lead.
    """
    timeout = cluster.settings.startup_timeout_s
    keeper, leader, follower = 1, 2, 3
    topic = f"lab-acks.unclean.{uuid.uuid4().hex[:8]}"
    _create_topic(
        cluster,
        topic,
        None,
        # min ISR 1: acks=1 writes to the leader alone are what this scenario is about.
        {"min.insync.replicas": "1", "unclean.leader.election.enable": "true"},
        assignment=[[leader, follower]],
    )
    _wait_partition(cluster, topic, lambda p: p.leader == leader and len(p.isr) == 2, timeout, "ISR of 2")
    say("unclean_topic", topic=topic, leader=leader, follower=follower, keeper=keeper)

    run = Experiment(cluster, topic, UNCLEAN, rate, seconds, say)
    phase = seconds / 3
    run.hold(run.started + phase)

    alone_from = run.producer.sent  # from here on, what the leader acknowledges exists on the leader only
    cluster.kill(follower)
    run.mark(f"SIGKILL follower {follower}")
    say("follower_killed", node=follower, sent=run.producer.sent)
    run.wait(lambda p: p.isr == (leader,), "the ISR to shrink")
    run.mark(f"ISR = [{leader}]")
    say("isr_shrank", leader=leader, seconds=time.monotonic() - run.started)
    run.hold(time.monotonic() + phase)

    before = cluster.partition(topic)
    killed_at = time.monotonic()
    cluster.kill(leader)
    run.mark(f"SIGKILL leader {leader}", at=killed_at)
    say("leader_alone_killed", node=leader, alone=run.producer.sent - alone_from)
    cluster.restart(follower)
    run.mark(f"restart follower {follower}")
    say("restarted", node=follower)
    after = run.wait(lambda p: p.leader not in (-1, leader), "an unclean election")
    change_s = time.monotonic() - killed_at
    run.mark(f"leader {after.leader}")
    say("unclean_leader", node=after.leader, seconds=change_s)
    run.hold(time.monotonic() + phase)

    cluster.restart(leader)
    run.mark(f"restart node {leader}")
    say("restarted", node=leader)
    run.wait(lambda p: leader in p.isr, f"node {leader} in the ISR")
    back_s = time.monotonic() - killed_at
    say("back_in_isr", node=leader, seconds=back_s)
    unclean = before is not None and after.leader not in before.isr
    return run.finish(leader, after.leader, change_s, back_s, unclean_election=unclean)


def read_partition(bootstrap_servers: str, topic: str, first: int = 0, timeout_s: float = 60) -> list[int]:
    """Every record's number in offset order, from ``first`` to the high watermark, uncommitted included."""
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap_servers,
            "group.id": f"lab-acks-reader-{uuid.uuid4().hex[:8]}",
            "enable.auto.commit": False,
            "isolation.level": "read_uncommitted",
        }
    )
    try:
        low, high = consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)
        low = max(low, first)
        consumer.assign([TopicPartition(topic, 0, low)])
        numbers: list[int] = []
        next_offset = low

        def read_to_end() -> bool:
            nonlocal next_offset
            for message in consumer.consume(1000, timeout=1):  # waits up to a second: the pace of this wait
                if message.error():
                    raise KafkaException(message.error())
                numbers.append(_number(message.key()))
                next_offset = message.offset() + 1
            return next_offset >= high

        if low < high:
            wait_until(
                read_to_end,
                timeout_s=timeout_s,
                what=lambda: f"{topic}: {high - low} records (read {next_offset - low})",
                interval_s=0,
            )
        return numbers
    finally:
        consumer.close()


def _warm_up(cluster: LabCluster, topic: str) -> int:
    """Write one record with acks=all and return the offset after it, where the experiment's records start.

    A new partition's ISR lists every replica before the followers fetch anything; an acks=all write
    completes only once they do, so the experiment starts with the followers really replicating.
    """
    producer = Producer({"bootstrap.servers": cluster.bootstrap_servers, "acks": "all", "linger.ms": 0})
    offsets: list[int] = []
    producer.produce(
        topic, b"warm-up", b"warm-up", on_delivery=lambda e, m: offsets.append(-1 if e else m.offset())
    )
    producer.flush(cluster.settings.startup_timeout_s)
    if not offsets or offsets[0] < 0:
        raise StackError(f"{topic}: the warm-up record was not acknowledged by every replica")
    return offsets[0] + 1


def _wait_settled_high_watermark(cluster: LabCluster, topic: str) -> None:
    """After the last write, followers copy the tail: read once the high watermark stops moving."""
    consumer = Consumer({"bootstrap.servers": cluster.bootstrap_servers, "group.id": "lab-acks-hw"})
    seen: list[tuple[float, int]] = []

    def settled() -> bool:
        high = consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)[1]
        now = time.monotonic()
        if not seen or seen[-1][1] != high:
            seen.append((now, high))
        return now - seen[-1][0] >= 1.0

    try:
        wait_until(settled, timeout_s=60, what=f"{topic}: a stable high watermark", interval_s=0.2)
    finally:
        consumer.close()


def _create_topic(
    cluster: LabCluster,
    topic: str,
    replication: int | None,
    config: dict[str, str],
    assignment: list[list[int]] | None = None,
) -> None:
    new = (
        NewTopic(topic, num_partitions=1, replica_assignment=assignment, config=config)
        if assignment
        else NewTopic(topic, num_partitions=1, replication_factor=replication or 3, config=config)
    )
    cluster.admin().create_topics([new], operation_timeout=30, request_timeout=30)[topic].result()


def _wait_partition(
    cluster: LabCluster,
    topic: str,
    condition: Callable[[PartitionState], bool],
    timeout_s: float,
    what: str,
    producer: NumberedProducer | None = None,
) -> PartitionState:
    found: list[PartitionState] = []

    def check() -> bool:
        if producer is not None:
            producer.check()
        state = cluster.partition(topic, timeout_s=2)
        if state is not None and condition(state):
            found.append(state)
            return True
        return False

    wait_until(check, timeout_s=timeout_s, what=f"{topic}: {what}", interval_s=0.1)
    return found[-1]


def _number(key: bytes | None) -> int:
    try:
        return int(key or b"")
    except ValueError:
        return -1  # not one of ours: counted as foreign


def _nodes(nodes: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(n) for n in nodes) + "]"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _file_logger(path: Path) -> logging.Logger:
    # librdkafka reports every refused connection to the dead node: useful afterwards, noise on screen.
    path.parent.mkdir(parents=True, exist_ok=True)
    logger = logging.getLogger(f"pedidos.lab.producer.{path}")
    if not logger.handlers:
        handler = logging.FileHandler(path)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger
