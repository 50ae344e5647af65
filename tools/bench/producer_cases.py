"""The producer benchmark's pure half: the case matrix, the settings both clients get, the run schedule,
the Java summary-line parser and the paired-ratio statistics. No Kafka here, so it is unit-tested alone.

Method: docs/benchmarks.md §1 (ratios measured in the same job, interleaved, round 0 dropped, fixed
volume per run, fresh topic per run) and §2 (every default that differs between the clients set explicitly).
"""

from __future__ import annotations

import random
import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

FAMILIES = ("P0", "P1", "P2", "P3", "P4", "P4m")
SIDES = ("python", "java")
PARTITIONS = 6
MIB = 1024 * 1024  # ProducerPerformance's "MB" is 2^20 bytes; ours is reported the same way

# docs/benchmarks.md §2, on both sides. batch.num.messages is librdkafka-only: high enough that
# batch.size (bytes per partition, as in Java) is what closes a batch.
SHARED_SETTINGS: dict[str, int | str] = {
    "linger.ms": 5,
    "batch.size": 131072,
    "max.in.flight.requests.per.connection": 5,
    "compression.type": "none",
}
# The send buffer differs too (Java buffer.memory 32 MiB; librdkafka 1 GiB / 100,000 messages). In a closed
# loop the buffer's depth is most of the latency a record sees, so both get 32 MiB, counted in bytes.
BUFFER_BYTES = 32 * MIB
LIBRDKAFKA_ONLY: dict[str, int | str] = {
    "batch.num.messages": 100_000,
    "queue.buffering.max.kbytes": BUFFER_BYTES // 1024,
    "queue.buffering.max.messages": 1_000_000,  # high enough that the byte limit governs, as in Java
}
JAVA_ONLY: dict[str, int | str] = {"buffer.memory": BUFFER_BYTES}
# What kafka-producer-perf-test.sh would give the JVM (its -Xmx512M and kafka-run-class.sh's G1 options).
JAVA_JVM_OPTIONS = (
    "-Xmx512M",
    "-server",
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:InitiatingHeapOccupancyPercent=35",
    "-XX:+ExplicitGCInvokesConcurrent",
    "-XX:MaxInlineLevel=15",
    "-Djava.awt.headless=true",
)
JAVA_MAIN = "org.apache.kafka.tools.ProducerPerformance"
# Printed by ProducerPerformance right before it starts its clock (after the producer is built and, when
# transactional, initialised): the start of the measured window, where we sample CPU.
JAVA_WINDOW_START = "Warmup first "

NO_JAVA_P4M = (
    "ProducerPerformance só conhece --transaction-duration-ms / only knows --transaction-duration-ms"
)

KNOWN_DIFFERENCES = [
    "Partição sticky para chave nula: librdkafka troca de partição a cada sticky.partitioning.linger.ms "
    "(10 ms); o Java troca depois de batch.size bytes (KIP-794) / null-key sticky partitioning: librdkafka "
    "switches every sticky.partitioning.linger.ms (10 ms), Java after batch.size bytes (KIP-794).",
    "Latência: Java mede send() -> callback na thread de I/O, em ms inteiros; nós medimos produce() -> "
    "relatório de entrega servido pelo poll(0) após cada produce() (Message.latency()) / latency: Java times "
    "send() -> callback on its I/O thread, whole ms; ours produce() -> delivery report served by the poll(0) "
    "after every produce().",
    "Malha fechada: a latência inclui a espera no buffer do cliente (32 MiB nos dois) / closed loop: latency "
    "includes waiting in the client's buffer (32 MiB on both).",
    "acks=0: o relatório de entrega significa 'enviado', não 'gravado' / acks=0: a delivery report means "
    "'sent', not 'stored'.",
    "P3 (idempotente sem transação): o nosso produtor envia 1 registro antes do relógio, porque a librdkafka "
    "obtém o producer id ~0,5 s depois de iniciar (startup_s no JSON); o Java obtém o seu dentro do relógio, "
    "em um round trip / P3: ours sends 1 record before the clock, since librdkafka gets its producer id "
    "~0.5 s after start (startup_s in the JSON); Java gets its own inside its clock, in one round trip.",
    "Java: cada execução é uma JVM nova; em execuções curtas o JIT ainda compila durante a medida, o que "
    "pesa na CPU e na vazão do Java: para números finais use --volume-mb maior (ex. 128) / Java: every "
    "run is a fresh JVM; in short runs the JIT is still compiling during the measurement, which weighs on "
    "Java's CPU and rate: for final figures use a larger --volume-mb (e.g. 128).",
    "CPU: só a janela medida (Java: da linha 'Warmup first' à última linha de resumo; início da JVM fora, em "
    "cpu_s_process_total) / CPU: the measured window only (Java: from its 'Warmup first' line to its last "
    "summary line; JVM start-up left out, see cpu_s_process_total).",
]


@dataclass(frozen=True)
class Case:
    """One producer configuration at one message size."""

    family: str
    acks: str
    idempotent: bool
    size: int
    txn_ms: int | None = None
    txn_messages: int | None = None

    @property
    def transactional(self) -> bool:
        return self.txn_ms is not None or self.txn_messages is not None

    @property
    def variant(self) -> str:
        if self.txn_ms is not None:
            return f"{self.txn_ms}ms"
        if self.txn_messages is not None:
            return f"{self.txn_messages}msg"
        return ""

    @property
    def key(self) -> str:
        """Stable id, used in the JSON and in topic names: ``P4-100ms-1KiB``."""
        return "-".join(p for p in (self.family, self.variant, size_label(self.size)) if p)

    @property
    def label(self) -> str:
        return " ".join(p for p in (self.family, self.variant, size_label(self.size)) if p)

    @property
    def java_supported(self) -> bool:
        return self.txn_messages is None

    def describe(self) -> str:
        txn = (
            f"transação a cada {self.txn_ms} ms / txn every {self.txn_ms} ms"
            if self.txn_ms is not None
            else f"{self.txn_messages} mensagens por transação / messages per txn"
            if self.txn_messages is not None
            else "sem transação / no txn"
        )
        idem = "idempotente / idempotent" if self.idempotent else "não idempotente / not idempotent"
        return f"acks={self.acks}, {idem}, {txn}"


@dataclass(frozen=True)
class NotRun:
    """A combination of the axes that cannot run, and why."""

    acks: str
    idempotent: bool
    transactions: str  # "off" | "ms" | "messages"
    reason: str

    @property
    def label(self) -> str:
        idem = "on" if self.idempotent else "off"
        txn = {"off": "off", "ms": "T ms", "messages": "N msg"}[self.transactions]
        return f"acks={self.acks} idem={idem} txn={txn}"


def combination_reason(acks: str, idempotent: bool, transactions: str) -> str | None:
    """Why this combination cannot run (None if it can)."""
    if idempotent and acks != "all":
        return "idempotência exige acks=all / idempotence requires acks=all"
    if transactions != "off" and not idempotent:
        return "transações exigem idempotência / transactions require idempotence"
    return None


def family_of(acks: str, idempotent: bool, transactions: str) -> str:
    """The name docs/benchmarks.md §2 gives a valid combination (P0..P4m)."""
    if transactions == "ms":
        return "P4"
    if transactions == "messages":
        return "P4m"
    return {("0", False): "P0", ("1", False): "P1", ("all", False): "P2", ("all", True): "P3"}[
        (acks, idempotent)
    ]


def full_matrix() -> tuple[list[tuple[str, bool, str, str]], list[NotRun]]:
    """Every acks x idempotence x transactions combination: (valid ones with their family, the rest)."""
    valid: list[tuple[str, bool, str, str]] = []
    invalid: list[NotRun] = []
    for acks in ("0", "1", "all"):
        for idempotent in (False, True):
            for transactions in ("off", "ms", "messages"):
                reason = combination_reason(acks, idempotent, transactions)
                if reason is None:
                    valid.append((acks, idempotent, transactions, family_of(acks, idempotent, transactions)))
                else:
                    invalid.append(NotRun(acks, idempotent, transactions, reason))
    return valid, invalid


def build_cases(
    families: Sequence[str], sizes: Sequence[int], txn_ms: Sequence[int], txn_messages: Sequence[int]
) -> list[Case]:
    """The cases to run, in matrix order (family, variant, size)."""
    valid, _ = full_matrix()
    cases: list[Case] = []
    for acks, idempotent, transactions, family in valid:
        if family not in families:
            continue
        variants: list[dict[str, int]] = (
            [{"txn_ms": t} for t in txn_ms]
            if transactions == "ms"
            else [{"txn_messages": n} for n in txn_messages]
            if transactions == "messages"
            else [{}]
        )
        for variant in variants:
            for size in sizes:
                cases.append(Case(family, acks, idempotent, size, **variant))
    return cases


def size_label(size: int) -> str:
    return f"{size // 1024}KiB" if size >= 1024 and size % 1024 == 0 else f"{size}B"


def parse_ints(text: str, what: str) -> list[int]:
    """``"100,1024"`` -> ``[100, 1024]``; positive, no duplicates, order kept."""
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as error:
        raise ValueError(f"{what}: números separados por vírgula / comma-separated integers") from error
    if not values or any(v <= 0 for v in values):
        raise ValueError(f"{what}: valores > 0 / values must be > 0")
    return list(dict.fromkeys(values))


def parse_families(text: str) -> list[str]:
    by_lower = {f.lower(): f for f in FAMILIES}
    chosen = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [c for c in chosen if c.lower() not in by_lower]
    if unknown or not chosen:
        raise ValueError(
            f"casos desconhecidos / unknown cases {unknown}; válidos / valid: {', '.join(FAMILIES)}"
        )
    return list(dict.fromkeys(by_lower[c.lower()] for c in chosen))


def records_for(volume_bytes: int, size: int) -> int:
    """The same data volume for every case: fewer, bigger records at 1 KiB (Kafka's own suite does this)."""
    return max(2, volume_bytes // size)


def warmup_records(records: int, percent: int) -> int:
    """Records left out of the steady-state figures; at least 1 (ProducerPerformance prints its window start
    only when it has a warm-up) and fewer than all (it refuses otherwise)."""
    return min(records - 1, max(1, records * percent // 100))


def python_config(case: Case) -> dict[str, int | str | bool]:
    """librdkafka settings for our client (bootstrap, client.id and transactional.id come at run time)."""
    return {
        **SHARED_SETTINGS,
        **LIBRDKAFKA_ONLY,
        "acks": case.acks,
        "enable.idempotence": case.idempotent,
    }


def java_properties(case: Case) -> dict[str, str]:
    """The same settings for ProducerPerformance's --command-property."""
    props: dict[str, int | str | bool] = {
        **SHARED_SETTINGS,
        **JAVA_ONLY,
        "acks": case.acks,
        "enable.idempotence": case.idempotent,
    }
    return {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in props.items()}


def java_arguments(
    case: Case, bootstrap: str, topic: str, records: int, warmup: int, payload_file: str
) -> list[str]:
    """ProducerPerformance's arguments. A payload file holding our exact payload: with --record-size the
    tool refills the payload with random letters for every record, a CPU cost our client does not pay."""
    if not case.java_supported:
        raise ValueError(f"{case.key}: {NO_JAVA_P4M}")
    args = [
        "--bootstrap-server",
        bootstrap,
        "--topic",
        topic,
        "--num-records",
        str(records),
        "--throughput",
        "-1",
        "--payload-file",
        payload_file,
        "--warmup-records",
        str(warmup),
        "--command-property",
        *(f"{k}={v}" for k, v in java_properties(case).items()),
    ]
    if case.txn_ms is not None:
        args += ["--transaction-duration-ms", str(case.txn_ms)]
    return args


def payload(size: int) -> bytes:
    """The record value both clients send: `size` letters A-Z, the alphabet ProducerPerformance uses.
    Deterministic, so the Java payload file and our producer send the same bytes."""
    rng = random.Random(size)
    return bytes(rng.randrange(26) + 65 for _ in range(size))


@dataclass(frozen=True)
class Planned:
    round: int
    case: Case
    side: str


def schedule(cases: Sequence[Case], rounds: int, java: bool, seed: int) -> list[Planned]:
    """Round by round, cases in a new random order each round, each case's Python run followed by its Java
    run: slow drift of the machine (other load, page cache, broker JIT) hits both sides of a pair alike."""
    rng = random.Random(seed)
    plan: list[Planned] = []
    for round_ in range(rounds):
        order = list(cases)
        rng.shuffle(order)
        for case in order:
            plan.append(Planned(round_, case, "python"))
            if java and case.java_supported:
                plan.append(Planned(round_, case, "java"))
    return plan


def measured_rounds(rounds: int) -> list[int]:
    """Round 0 warms the broker (JIT, page cache, metadata) and is dropped, unless it is the only one."""
    return list(range(1, rounds)) if rounds > 1 else [0]


# docs/benchmarks.md §2: ProducerPerformance's final line, and the "steady state" line after a warm-up.
JAVA_SUMMARY = re.compile(
    r"^(\d+)( steady state)? records sent, ([\d.]+) records/sec \(([\d.]+) MB/sec\), "
    r"([\d.]+) ms avg latency, ([\d.]+) ms max latency, "
    r"(\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th\."
)


@dataclass(frozen=True)
class JavaSummary:
    records: int
    steady_state: bool
    records_per_s: float
    mb_per_s: float
    avg_ms: float
    max_ms: float
    p50_ms: int
    p95_ms: int
    p99_ms: int
    p999_ms: int


def parse_java_summary(line: str) -> JavaSummary | None:
    """A final summary line of ProducerPerformance, or None (progress lines, banners)."""
    match = JAVA_SUMMARY.match(line.strip())
    if not match:
        return None
    g = match.groups()
    return JavaSummary(
        records=int(g[0]),
        steady_state=g[1] is not None,
        records_per_s=float(g[2]),
        mb_per_s=float(g[3]),
        avg_ms=float(g[4]),
        max_ms=float(g[5]),
        p50_ms=int(g[6]),
        p95_ms=int(g[7]),
        p99_ms=int(g[8]),
        p999_ms=int(g[9]),
    )


def cpu_seconds_from_stat(stat: str, ticks_per_s: int) -> float:
    """utime + stime of a /proc/<pid>/stat line (all threads of the process), in seconds."""
    fields = stat.rsplit(") ", 1)[1].split()  # the command name may hold spaces and parentheses
    return (int(fields[11]) + int(fields[12])) / ticks_per_s  # fields 14 and 15, counted from 1


def per_million(seconds: float | None, records: int) -> float | None:
    return None if seconds is None or records <= 0 else seconds / records * 1_000_000


def paired_ratios(runs: Iterable[dict[str, Any]], rounds: Sequence[int]) -> dict[str, list[float]]:
    """Per case, Python records/s divided by Java records/s of the same round, for rounds where both ran."""
    by_key: dict[tuple[str, int], dict[str, float]] = {}
    for run in runs:
        if run["ok"] and run["round"] in rounds:
            by_key.setdefault((run["case"], run["round"]), {})[run["side"]] = run["records_per_s"]
    ratios: dict[str, list[float]] = {}
    for (case, _round), sides in sorted(by_key.items(), key=lambda item: (item[0][0], item[0][1])):
        if "python" in sides and "java" in sides and sides["java"] > 0:
            ratios.setdefault(case, []).append(sides["python"] / sides["java"])
    return ratios


def spread(values: Sequence[float]) -> dict[str, float] | None:
    """Median, min and max (None for no values)."""
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def median_of(runs: Sequence[dict[str, Any]], path: Sequence[str]) -> float | None:
    values = []
    for run in runs:
        value: Any = run
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, int | float):
            values.append(float(value))
    return statistics.median(values) if values else None


SUMMARY_FIELDS = {
    "records_per_s": ("records_per_s",),
    "mb_per_s": ("mb_per_s",),
    "p50_ms": ("latency_ms", "p50"),
    "p99_ms": ("latency_ms", "p99"),
    "cpu_s_per_million": ("cpu_s_per_million",),
    "broker_cpu_s_per_million": ("broker_cpu_s_per_million",),
}


def summarise(cases: Sequence[Case], runs: Sequence[dict[str, Any]], rounds: int) -> list[dict[str, Any]]:
    """Per case and side, the medians over the measured rounds; per case, the paired ratio spread."""
    kept = measured_rounds(rounds)
    ratios = paired_ratios(runs, kept)
    summary = []
    for case in cases:
        sides: dict[str, dict[str, Any] | None] = {}
        for side in SIDES:
            mine = [r for r in runs if r["case"] == case.key and r["side"] == side and r["round"] in kept]
            good = [r for r in mine if r["ok"]]
            if side == "java" and not case.java_supported:
                sides[side] = None
                continue
            sides[side] = {name: median_of(good, path) for name, path in SUMMARY_FIELDS.items()} | {
                "runs": len(good),
                "failed": len(mine) - len(good),
            }
        summary.append(
            {
                "case": case.key,
                "family": case.family,
                "size": case.size,
                "describe": case.describe(),
                "java_note": None if case.java_supported else NO_JAVA_P4M,
                "python": sides["python"],
                "java": sides["java"],
                "ratio_records_per_s": spread(ratios.get(case.key, [])),
                "ratios_per_round": ratios.get(case.key, []),
            }
        )
    return summary
