"""`pedidos bench producer`: our producer (confluent-kafka) next to Kafka's own ProducerPerformance.

Every case (acks x idempotence x transactions x message size) runs on both clients with the same explicit
settings, each run on a fresh topic with a fixed data volume, the pair back to back (Python, then Java), the
case order shuffled every round. Round 0 is a warm-up and is left out of the figures when there are more.
What is compared is the ratio within a round, not absolute rates: on a shared 2-core machine the absolute
rates drift, a ratio measured in the same minute much less (docs/benchmarks.md §1).
"""

from __future__ import annotations

import os
import platform
import random
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import confluent_kafka
from confluent_kafka import KafkaException, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic, OffsetSpec

from processors.settings import Settings, get_settings
from tools.bench import producer_cases as pc
from tools.bench.cpu import sampler
from tools.bench.java_perf import JavaTool, JavaToolMissing, find_tool, run_java
from tools.bench.python_producer import run_python
from tools.reports import BarChart, Cell, Report, Table, out_dir_option, publish
from tools.stack.dist import KAFKA_VERSION
from tools.stack.procs import StackError
from tools.stack.stack import require_kafka
from tools.text import Text, lang_option, same

RUN_TIMEOUT_S = 600.0  # one run, either client: generous, it only stops a hung run
ADMIN_TIMEOUT_S = 30.0
STORED_TIMEOUT_S = 10.0  # for the broker to finish appending what an acks=0 producer already sent
Echo = Callable[[str], None]


@dataclass(frozen=True)
class Plan:
    cases: list[pc.Case]
    rounds: int
    volume_bytes: int
    warmup_pct: int
    java: bool
    seed: int


class BenchTopics:
    """A fresh topic per run, leaders elected before the run starts, deleted after it."""

    def __init__(self, settings: Settings) -> None:
        self.admin = AdminClient({"bootstrap.servers": settings.bootstrap_servers})
        self.replication = settings.kafka_brokers
        self.live: set[str] = set()

    def create(self, name: str) -> None:
        self.admin.create_topics([NewTopic(name, pc.PARTITIONS, self.replication)])[name].result(
            ADMIN_TIMEOUT_S
        )
        self.live.add(name)
        deadline = time.monotonic() + ADMIN_TIMEOUT_S
        while not self._ready(name):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name}: sem líderes em / no leaders in {ADMIN_TIMEOUT_S:.0f} s")
            time.sleep(0.05)  # between probes, under the deadline

    def _ready(self, name: str) -> bool:
        """Every partition has a leader in the metadata and that leader answers for it. The metadata alone
        runs ahead of the broker loading the partition: an acks=0 record sent in between is refused with
        NOT_LEADER_OR_FOLLOWER and lost (seen here), so the leader must answer a ListOffsets first."""
        topic = self.admin.list_topics(name, timeout=ADMIN_TIMEOUT_S).topics.get(name)
        if topic is None or topic.error is not None or len(topic.partitions) != pc.PARTITIONS:
            return False
        if not all(p.leader >= 0 and p.error is None for p in topic.partitions.values()):
            return False
        try:
            self.end_offsets(name)
        except KafkaException:
            return False
        return True

    def end_offsets(self, name: str) -> int:
        """Sum of the partitions' end offsets: the records written (plus commit markers, if transactional)."""
        request = {TopicPartition(name, p): OffsetSpec.latest() for p in range(pc.PARTITIONS)}
        futures = self.admin.list_offsets(request, request_timeout=ADMIN_TIMEOUT_S)
        return sum(f.result().offset for f in futures.values())

    def wait_end_offsets(self, name: str, expected: int) -> int:
        """The end offsets once they reach `expected`, or as they are at the deadline. With acks=0 a delivery
        report means only "written to the socket": the broker may still be appending the last requests."""
        deadline = time.monotonic() + STORED_TIMEOUT_S
        while (stored := self.end_offsets(name)) < expected and time.monotonic() < deadline:
            time.sleep(0.05)  # between probes, under the deadline
        return stored

    def delete(self, names: Sequence[str]) -> None:
        if not names:
            return
        for future in self.admin.delete_topics(list(names), operation_timeout=ADMIN_TIMEOUT_S).values():
            future.result()
        self.live.difference_update(names)

    def delete_all(self) -> None:
        self.delete(sorted(self.live))


def run_bench(
    settings: Settings, plan: Plan, tool: JavaTool | None, echo: Echo = click.echo
) -> dict[str, Any]:
    """Runs the plan; returns everything the report needs (the JSON's `data`)."""
    broker_pids = require_kafka(settings)
    broker_cpu = sampler(broker_pids)
    schedule = pc.schedule(plan.cases, plan.rounds, plan.java and tool is not None, plan.seed)
    run_id = uuid.uuid4().hex[:8]
    topics = BenchTopics(settings)
    runs: list[dict[str, Any]] = []
    load_before = os.getloadavg()
    started = time.monotonic()
    echo(
        f"{len(plan.cases)} casos x {plan.rounds} rodadas = {len(schedule)} execuções / runs, "
        f"{plan.volume_bytes / pc.MIB:g} MiB cada / each (semente / seed {plan.seed})"
    )
    with tempfile.TemporaryDirectory(prefix="bench-producer-") as tmp:
        payload_files = {}
        for size in sorted({c.size for c in plan.cases}):
            payload_files[size] = Path(tmp) / f"payload-{size}.txt"
            payload_files[size].write_bytes(pc.payload(size))  # one line, no newline: exactly `size` bytes
        try:
            for index, planned in enumerate(schedule, start=1):
                run = _one_run(settings, planned, plan, tool, topics, payload_files, broker_cpu, run_id)
                run["index"] = index
                runs.append(run)
                figure = (
                    f"{run['records_per_s']:,.0f} rec/s" if run["ok"] else f"FALHOU / FAILED: {run['error']}"
                )
                what = f"rodada {planned.round} {planned.case.label} {planned.side}"
                echo(f"[{index}/{len(schedule)}] {what}: {figure}")
        finally:
            topics.delete_all()
    _, not_run = pc.full_matrix()
    return {
        "versions": _versions(tool),
        "machine": {
            "nproc": os.cpu_count(),
            "cpus_usable": len(os.sched_getaffinity(0)),
            "loadavg_before": [round(v, 2) for v in load_before],
            "loadavg_after": [round(v, 2) for v in os.getloadavg()],
            "platform": platform.platform(),
            "broker_cpu_recorded": broker_pids is not None,
        },
        "method": {
            "rounds": plan.rounds,
            "measured_rounds": pc.measured_rounds(plan.rounds),
            "volume_bytes_per_run": plan.volume_bytes,
            "warmup_pct": plan.warmup_pct,
            "seed": plan.seed,
            "partitions": pc.PARTITIONS,
            "replication_factor": settings.kafka_brokers,
            "bootstrap_servers": settings.bootstrap_servers,
            "java": plan.java and tool is not None,
            "seconds": round(time.monotonic() - started, 1),
            "notes": pc.KNOWN_DIFFERENCES,
        },
        "settings": {
            "shared": pc.SHARED_SETTINGS,
            "librdkafka_only": pc.LIBRDKAFKA_ONLY,
            "java_only": pc.JAVA_ONLY,
            "jvm_options": list(pc.JAVA_JVM_OPTIONS),
            "per_case": {
                c.key: {
                    "python": pc.python_config(c),
                    "java": pc.java_properties(c) if c.java_supported else None,
                    "txn_ms": c.txn_ms,
                    "txn_messages": c.txn_messages,
                    "records": pc.records_for(plan.volume_bytes, c.size),
                    "warmup_records": pc.warmup_records(
                        pc.records_for(plan.volume_bytes, c.size), plan.warmup_pct
                    ),
                }
                for c in plan.cases
            },
        },
        "not_run": [
            {
                "combination": n.label,
                "acks": n.acks,
                "idempotent": n.idempotent,
                "transactions": n.transactions,
                "reason": n.reason,
            }
            for n in not_run
        ],
        "cases": pc.summarise(plan.cases, runs, plan.rounds),
        "runs": runs,
        "failed_runs": sum(1 for r in runs if not r["ok"]),
    }


def _one_run(
    settings: Settings,
    planned: pc.Planned,
    plan: Plan,
    tool: JavaTool | None,
    topics: BenchTopics,
    payload_files: dict[int, Path],
    broker_cpu: Callable[[], float | None],
    run_id: str,
) -> dict[str, Any]:
    case = planned.case
    records = pc.records_for(plan.volume_bytes, case.size)
    warmup = pc.warmup_records(records, plan.warmup_pct)
    topic = f"bench.producer.{run_id}.r{planned.round}.{case.key}.{planned.side}"
    base = {"round": planned.round, "case": case.key, "side": planned.side, "topic": topic}
    try:
        topics.create(topic)
        if planned.side == "python":
            result = run_python(
                case,
                settings.bootstrap_servers,
                topic,
                records,
                warmup,
                pc.payload(case.size),
                broker_cpu,
                RUN_TIMEOUT_S,
            )
        else:
            assert tool is not None  # the schedule has Java runs only when the tool was found
            arguments = pc.java_arguments(
                case, settings.bootstrap_servers, topic, records, warmup, str(payload_files[case.size])
            )
            result = run_java(tool, arguments, records, warmup, broker_cpu, RUN_TIMEOUT_S)
        expected = records + result.get("primer_records", 0)
        stored = topics.wait_end_offsets(topic, expected)
        result["stored_offsets"] = stored
        # Transactional topics also hold one commit marker per partition per transaction.
        if result["ok"] and (stored < expected if case.transactional else stored != expected):
            result["ok"] = False
            result["error"] = f"no tópico / in the topic: {stored} offsets para / for {expected} registros"
    except Exception as error:  # one failed run is reported, the rest of the benchmark goes on
        result = {
            "ok": False,
            "error": f"{type(error).__name__}: {error}",
            "records": records,
            "records_per_s": 0.0,
        }
    finally:
        if topic in topics.live:
            topics.delete([topic])
    return base | result


def _versions(tool: JavaTool | None) -> dict[str, Any]:
    return {
        "confluent_kafka": _version_text(confluent_kafka.version()),
        "librdkafka": _version_text(confluent_kafka.libversion()),
        "python": platform.python_version(),
        "java": tool.java_version if tool else None,
        "kafka_tools": tool.tools_version if tool else None,
        "kafka_broker_distribution": KAFKA_VERSION,
    }


def _version_text(version: str | tuple[str, int]) -> str:
    # version() is a plain string in this release, a (text, number) pair in older ones; libversion() a pair.
    return version if isinstance(version, str) else version[0]


def build_report(data: dict[str, Any]) -> Report:
    rows: list[list[Cell]] = []
    labels, ours, java = [], [], []
    ratio_labels: list[str] = []
    ratio_min: list[float] = []
    ratio_med: list[float] = []
    ratio_max: list[float] = []
    for case in data["cases"]:
        py, jv, ratio = case["python"], case["java"], case["ratio_records_per_s"]
        label = case["case"].replace("-", " ")
        rows.append(
            [
                label,
                py and py["records_per_s"],
                jv and jv["records_per_s"],
                ratio and round(ratio["median"], 2),
                ratio and f"{ratio['min']:.2f}-{ratio['max']:.2f}",
                _pair(py, jv, "mb_per_s", "{:.1f}"),
                _pair(py, py, "p50_ms", "{:.1f}", "p99_ms"),
                _pair(jv, jv, "p50_ms", "{:.0f}", "p99_ms"),
                _pair(py, jv, "cpu_s_per_million", "{:.1f}"),
                _pair(py, jv, "broker_cpu_s_per_million", "{:.1f}"),
                _case_note(case),
            ]
        )
        labels.append(label)
        ours.append(_num(py and py["records_per_s"]))
        java.append(_num(jv and jv["records_per_s"]))
        if ratio:
            ratio_labels.append(label)
            ratio_min.append(ratio["min"])
            ratio_med.append(ratio["median"])
            ratio_max.append(ratio["max"])
    for n in data["not_run"]:
        rows.append([n["combination"], *([None] * 9), f"não executado / not run: {n['reason']}"])
    table = Table(
        [
            "caso / case",
            "Python rec/s",
            "Java rec/s",
            "razão / ratio",
            "mín-máx",
            "MB/s Py|Java",
            "Py p50|p99 ms",
            "Java p50|p99 ms",
            "CPU s/M Py|Java",
            "broker CPU s/M Py|Java",
            "obs. / note",
        ],
        rows,
    )
    charts = [
        BarChart(
            "Registros/s, mediana por caso / records/s, median per case",
            labels,
            {"Python (confluent-kafka)": ours, "Java (ProducerPerformance)": java},
            "registros/s / records/s",
        )
    ]
    if ratio_labels:  # none with --no-java
        charts.append(
            BarChart(
                "Python ÷ Java, pareado por rodada / paired per round",
                ratio_labels,
                {"mín / min": ratio_min, "mediana / median": ratio_med, "máx / max": ratio_max},
                "razão / ratio",
                reference_line=1.0,
            )
        )
    return Report(
        kind="bench-producer",
        title=Text(
            "Produtor: nosso cliente (confluent-kafka) x ProducerPerformance do Kafka",
            "Producer: our client (confluent-kafka) vs Kafka's ProducerPerformance",
        ),
        table=table,
        data=data,
        charts=charts,
        conclusion=_conclusion(data),
    )


def _pair(
    left: dict[str, Any] | None,
    right: dict[str, Any] | None,
    field: str,
    fmt: str,
    right_field: str | None = None,
) -> str | None:
    a = left.get(field) if left else None
    b = right.get(right_field or field) if right else None
    if a is None and b is None:
        return None
    return f"{fmt.format(a) if a is not None else '-'}|{fmt.format(b) if b is not None else '-'}"


def _case_note(case: dict[str, Any]) -> str | None:
    notes = []
    if case["java_note"]:
        notes.append("Java: -, só / only --transaction-duration-ms")
    failed = sum(side["failed"] for side in (case["python"], case["java"]) if side)
    if failed:
        notes.append(f"{failed} execução(ões) falhou(aram) / run(s) failed")
    return "; ".join(notes) or None


def _num(value: float | None) -> float:
    return float("nan") if value is None else float(value)  # a missing bar in the chart


def _conclusion(data: dict[str, Any]) -> Text:
    machine, method = data["machine"], data["method"]
    kept = len(method["measured_rounds"])
    load = f"loadavg {machine['loadavg_before'][0]:.2f}->{machine['loadavg_after'][0]:.2f}"
    where = Text(f"{machine['nproc']} núcleos, {load}", f"{machine['nproc']} cores, {load}")
    rounds = Text(f"{kept} rodada(s) medida(s)", f"{kept} measured round(s)")
    if method["rounds"] > 1:
        rounds += Text(" (a rodada 0 aquece e fica de fora)", " (round 0 warms up and is left out)")
    failed = data["failed_runs"]
    tail = (
        Text(
            f" {failed} execução(ões) falhou(aram): ver `runs` no JSON.",
            f" {failed} run(s) failed: see `runs` in the JSON.",
        )
        if failed
        else same("")
    )
    paired = [
        (c["case"], c["ratio_records_per_s"]["median"]) for c in data["cases"] if c["ratio_records_per_s"]
    ]
    if not paired:
        return Text(
            "Sem pares com o Java: só os números do nosso cliente; {rounds}; {where}.{tail}",
            "No Java pairs: our client's figures only; {rounds}; {where}.{tail}",
        ).format(rounds=rounds, where=where, tail=tail)
    (low_case, low), (high_case, high) = min(paired, key=lambda p: p[1]), max(paired, key=lambda p: p[1])
    return Text(
        "Python ÷ Java (mediana das razões pareadas por rodada): de {low:.2f} ({low_case}) a {high:.2f} "
        "({high_case}); {rounds}; {where}. Em malha fechada a latência inclui a fila do cliente.{tail}",
        "Python ÷ Java (median of per-round paired ratios): from {low:.2f} ({low_case}) to {high:.2f} "
        "({high_case}); {rounds}; {where}. In a closed loop latency includes the client's queue.{tail}",
    ).format(
        low=low, low_case=low_case, high=high, high_case=high_case, rounds=rounds, where=where, tail=tail
    )


def _parse(parser: Callable[[str], Any], text: str, hint: str) -> Any:
    try:
        return parser(text)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint=hint) from error


@click.command("producer")
@click.option("--sizes", default="100,1024", show_default=True, help="Tamanhos em bytes / message sizes.")
@click.option(
    "--volume-mb",
    default=32.0,
    show_default=True,
    type=click.FloatRange(min=0.01),
    help="MiB por execução / per run.",
)
@click.option("--rounds", default=5, show_default=True, type=click.IntRange(1, 100), help="Rodadas / rounds.")
@click.option("--cases", "families", default=",".join(pc.FAMILIES), show_default=True, help="Casos / cases.")
@click.option("--txn-ms", default="10,100,1000", show_default=True, help="P4: ms por transação / per txn.")
@click.option(
    "--txn-messages", default="1000", show_default=True, help="P4m: mensagens por transação / per txn."
)
@click.option(
    "--java/--no-java", default=True, show_default=True, help="Rodar o ProducerPerformance / run it."
)
@click.option(
    "--warmup-pct",
    default=10,
    show_default=True,
    type=click.IntRange(1, 50),
    help="% de cada execução fora das medidas / of each run left out of the figures.",
)
@click.option("--seed", type=int, default=None, help="Semente da ordem dos casos / case order seed.")
@lang_option
@out_dir_option
def producer(
    sizes: str,
    volume_mb: float,
    rounds: int,
    families: str,
    txn_ms: str,
    txn_messages: str,
    java: bool,
    warmup_pct: int,
    seed: int | None,
    lang: str,
    out_dir: Path | None,
) -> None:
    """Produtor: nosso cliente x ProducerPerformance do Kafka / our producer vs Kafka's own."""
    cases = pc.build_cases(
        _parse(pc.parse_families, families, "--cases"),
        _parse(lambda t: pc.parse_ints(t, "--sizes"), sizes, "--sizes"),
        _parse(lambda t: pc.parse_ints(t, "--txn-ms"), txn_ms, "--txn-ms"),
        _parse(lambda t: pc.parse_ints(t, "--txn-messages"), txn_messages, "--txn-messages"),
    )
    settings = get_settings()
    tool = None
    if java:
        try:
            tool = find_tool(settings.dist_dir)
        except JavaToolMissing as error:
            raise click.ClickException(str(error)) from error
    plan = Plan(
        cases=cases,
        rounds=rounds,
        volume_bytes=int(volume_mb * pc.MIB),
        warmup_pct=warmup_pct,
        java=java,
        seed=seed if seed is not None else random.SystemRandom().randrange(1_000_000),
    )
    try:
        data = run_bench(settings, plan, tool)
    except StackError as error:  # Kafka down: before any run
        raise click.ClickException(str(error)) from error
    publish(build_report(data), out_dir, lang=lang)
    if data["failed_runs"]:
        raise SystemExit(1)
