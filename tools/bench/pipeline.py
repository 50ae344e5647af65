"""`pedidos bench pipeline`: what exactly-once costs one consume-transform-produce stage, and how our runtime
compares with Quix Streams doing the same (docs/benchmarks.md §3, ratio R_eos).

One input topic (6 partitions) is pre-filled with N order-like Avro records of about 1 KiB. Each run drains
all of it through one stage into a fresh output topic under a fresh consumer group:
- ours, exactly-once: the project's runtime (processors/runtime/loop.py) with a pricing handler;
- ours, at-least-once: the same loop with ``guarantee="at_least_once"`` (idempotent producer, offsets
  committed synchronously after a flush);
- Quix Streams with ``processing_guarantee="exactly-once"``, the same transform and Avro serde.
at each commit interval. A read_committed verifier timestamps every output as it becomes visible and checks
the count, duplicates and, on a sample, the transform. Rounds repeat every case in a shuffled order; round 0
is a warm-up; ratios are paired within a round (docs/benchmarks.md §1).
"""

from __future__ import annotations

import contextlib
import os
import platform
import random
import shutil
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click
from confluent_kafka.admin import AdminClient
from confluent_kafka.schema_registry import SchemaRegistryClient

from processors.settings import Settings, get_settings
from tools.bench import pipeline_stats as stats
from tools.bench.cpu import delta, sampler
from tools.bench.pipeline_kafka import (
    PARTITIONS,
    BenchError,
    BenchResources,
    Verifier,
    end_offsets,
    prefill,
    run_stage,
)
from tools.bench.pipeline_stage import CONSUME_CHUNK, STAGE_ARGV, client_versions
from tools.bench.pipeline_workload import priced_correctly
from tools.bench.quix_env import QUIX_STAGE, REQUIREMENTS, ensure_quix
from tools.reports import Report, out_dir_option, publish
from tools.stack.procs import StackError
from tools.stack.stack import require_kafka
from tools.text import Text, lang_option

Echo = Callable[[str], None]
GUARANTEE_NAMES = {stats.EXACTLY_ONCE: "exactly-once", stats.AT_LEAST_ONCE: "at-least-once"}

NOTES = [
    {
        "pt": f"Nosso estágio: o EosLoop dos processadores, batch_size ilimitado e cada consume() limitado a "
        f"{CONSUME_CHUNK} registros, para que o intervalo de commit (não o lote) feche cada transação.",
        "en": f"Our stage: the processors' EosLoop, batch_size unbounded and each consume() capped at "
        f"{CONSUME_CHUNK} records, so the commit interval (not the batch size) closes each transaction.",
    },
    {
        "pt": "Quix lê um registro por poll() e olha o checkpoint a cada registro; o nosso consome em lotes.",
        "en": "Quix polls one record at a time and checks its checkpoint after each; ours consumes batches.",
    },
    {
        "pt": "Quix roda no seu próprio venv, com outro confluent-kafka/librdkafka (ver `clients`).",
        "en": "Quix runs in its own venv, with another confluent-kafka/librdkafka version (see `clients`).",
    },
    {
        "pt": "commit = o passo inteiro: flush + (send_offsets + commit_transaction | commit síncrono dos "
        "offsets); no Quix, Checkpoint.commit.",
        "en": "commit = the whole step: flush + (send_offsets + commit_transaction | synchronous offset "
        "commit); for Quix, Checkpoint.commit.",
    },
    {
        "pt": "CPU = CPU do processo do estágio (todas as threads), do primeiro registro ao último commit.",
        "en": "CPU = the stage process's CPU time (all threads), from the first record to the last commit.",
    },
    {
        "pt": "broker_cpu_s_per_million (só no JSON): CPU do broker na execução inteira, com o início do "
        "processo do estágio.",
        "en": "broker_cpu_s_per_million (JSON only): the broker's CPU over the whole run, the stage "
        "process's start-up included.",
    },
]


def run_bench(
    settings: Settings, records: int, intervals: Sequence[int], rounds: int, quix: bool, seed: int, echo: Echo
) -> dict[str, Any]:
    broker_pids = require_kafka(settings)
    broker_cpu = sampler(broker_pids)
    quix_python = ensure_quix(settings.state_dir, echo) if quix else None
    schedule = stats.plan(intervals, rounds, quix, seed)
    run_id = uuid.uuid4().hex[:6]
    prefix = f"bench-pipeline-{run_id}"
    work_dir = settings.state_dir / "bench-pipeline" / run_id
    work_dir.mkdir(parents=True, exist_ok=True)
    log_path = settings.state_dir / "logs" / "bench-pipeline.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    resources = BenchResources(
        AdminClient({"bootstrap.servers": settings.bootstrap_servers}),
        SchemaRegistryClient({"url": settings.registry_url, "timeout": 10}),
        replication=settings.kafka_brokers,
    )
    total = sum(len(cases) for cases in schedule)
    echo(
        f"{total} execuções / runs ({rounds} rodada(s) / round(s), a 0 é aquecimento / round 0 warms up when "
        f"there are more), {records:,} registros cada / records each, semente / seed {seed}"
    )
    load_before = os.getloadavg()
    started = time.monotonic()
    runs: list[dict[str, Any]] = []
    left_behind: list[str] = []
    try:
        source = resources.topic(f"{prefix}.input")
        dlq = resources.topic(f"{prefix}.dlq", partitions=1, avro=False)
        echo(f"pré-carga / pre-fill: {records:,} registros em / records into {source}")
        created_ms = prefill(settings.bootstrap_servers, settings.registry_url, source, records, echo)
        ends = end_offsets(settings.bootstrap_servers, source)
        context = RunContext(
            settings, resources, source, dlq, ends, created_ms, work_dir, log_path, quix_python
        )
        index = 0
        for round_no, cases in enumerate(schedule):
            for case in cases:
                index += 1
                run = _one_run(context, case, round_no, f"{prefix}-r{round_no}", broker_cpu)
                runs.append(run)
                what = f"rodada / round {round_no} {case.label} {case.interval_ms} ms"
                echo(f"[{index}/{total}] {what}: {_progress(run)}")
    finally:
        left_behind = resources.cleanup()
        shutil.rmtree(work_dir, ignore_errors=True)
        with contextlib.suppress(OSError):  # the parent too, unless another bench is using it
            work_dir.parent.rmdir()
    kept = stats.measured(runs, rounds)
    eos_over_alo = stats.paired_ratios(kept, "ours-eos", "ours-alo")
    ours_over_quix = stats.paired_ratios(kept, "ours-eos", "quix-eos")
    clients = {run["case"]: run["client"] for run in runs if run["ok"]}
    return {
        "method": {
            "run_id": run_id,  # its topics, subjects and groups are named bench-pipeline-<run_id>...
            "records": records,
            "intervals_ms": list(intervals),
            "rounds": rounds,
            "measured_rounds": stats.measured_rounds(rounds),
            "seed": seed,
            "partitions": PARTITIONS,
            "record_bytes": "~1 KiB (Avro, 5-byte registry header included)",
            "consume_chunk_ours": CONSUME_CHUNK,
            "quix_requirements": list(REQUIREMENTS) if quix else None,
            "seconds": round(time.monotonic() - started, 1),
            "notes": NOTES,
        },
        "machine": {
            "nproc": os.cpu_count(),
            "loadavg_before": [round(v, 2) for v in load_before],
            "loadavg_after": [round(v, 2) for v in os.getloadavg()],
            "platform": platform.platform(),
            "python": platform.python_version(),
            "broker_cpu_recorded": broker_pids is not None,
        },
        "clients": clients or {"ours": client_versions()},
        "summary": stats.summarise(kept),
        "ratios": {
            "eos_over_alo": {str(k): v for k, v in eos_over_alo.items()},
            "ours_over_quix": {str(k): v for k, v in ours_over_quix.items()},
        },
        "runs": runs,
        "failed_runs": [r for r in runs if not r["ok"] or not r["passed"]],
        "left_behind": left_behind,
    }


class RunContext:
    def __init__(
        self,
        settings: Settings,
        resources: BenchResources,
        source: str,
        dlq: str,
        ends: dict[int, int],
        created_ms: list[int],
        work_dir: Path,
        log_path: Path,
        quix_python: Path | None,
    ) -> None:
        self.settings, self.resources = settings, resources
        self.source, self.dlq, self.ends, self.created_ms = source, dlq, ends, created_ms
        self.work_dir, self.log_path, self.quix_python = work_dir, log_path, quix_python

    def argv(self, case: stats.Case) -> list[str]:
        if case.implementation == "quix":
            assert self.quix_python is not None
            return [str(self.quix_python), str(QUIX_STAGE)]
        return list(STAGE_ARGV)


def _one_run(
    context: RunContext, case: stats.Case, round_no: int, prefix: str, broker_cpu: Callable[[], float | None]
) -> dict[str, Any]:
    settings, resources = context.settings, context.resources
    records = len(context.created_ms)
    name = f"{prefix}-{case.series}-{case.interval_ms}ms"
    base = {"round": round_no, "case": case.series, "interval_ms": case.interval_ms}
    output = resources.topic(f"{name}.out")
    resources.groups.append(name)
    verifier = Verifier(settings.bootstrap_servers, settings.registry_url, output)
    verifier.start()
    try:
        cpu_before = broker_cpu()
        stage = run_stage(
            context.argv(case),
            {
                "name": name,
                "bootstrap_servers": settings.bootstrap_servers,
                "registry_url": settings.registry_url,
                "input_topic": context.source,
                "output_topic": output,
                "dlq_topic": context.dlq,
                "guarantee": case.guarantee,
                "commit_interval_s": case.interval_ms / 1000,
                "end_offsets": {str(p): end for p, end in context.ends.items()},
            },
            context.work_dir,
            context.log_path,
            timeout_s=max(120.0, records / 200),
        )
        cpu_after = broker_cpu()
        verifier.finish()
    except BenchError as error:
        verifier.abandon()
        return {**base, "ok": False, "passed": False, "error": str(error)}
    finally:
        resources.drop_topic(output)
    samples = verifier.decoded_samples()
    figures = stats.run_figures(
        case,
        records,
        stage,
        verifier.observations,
        context.created_ms,
        (len(samples), sum(1 for s in samples if priced_correctly(s))),
    )
    broker = delta(cpu_before, cpu_after)
    figures["broker_cpu_s_per_million"] = None if broker is None else round(broker / records * 1_000_000, 1)
    return {**base, **figures, "ok": True}


def _progress(run: dict[str, Any]) -> str:
    if not run["ok"]:
        return f"FALHOU / FAILED: {run['error']}"
    verdict = "" if run["passed"] else f"  FALHOU / FAILED: {'; '.join(run['failures'])}"
    return (
        f"{run['throughput_rps']:,.0f} reg/s, commit p50 {run['commit_ms']['p50']:.1f} ms, "
        f"{run['records_out']:,} saídas / outputs, {run['duplicates']} dup{verdict}"
    )


def build_report(data: dict[str, Any]) -> Report:
    eos_over_alo = {int(k): v for k, v in data["ratios"]["eos_over_alo"].items()}
    ours_over_quix = {int(k): v for k, v in data["ratios"]["ours_over_quix"].items()}
    summary = data["summary"]
    return Report(
        kind="bench-pipeline",
        title=Text(
            "Estágio consume-transform-produce: exactly-once x at-least-once, nosso runtime x Quix",
            "Consume-transform-produce stage: exactly-once vs at-least-once, our runtime vs Quix",
        ),
        table=stats.table(summary, eos_over_alo, ours_over_quix),
        data=data,
        charts=stats.charts(summary, eos_over_alo, ours_over_quix) if summary else (),
        conclusion=stats.conclusion(eos_over_alo, ours_over_quix, len(data["method"]["measured_rounds"])),
    )


def _intervals(_ctx: click.Context, _param: click.Parameter, text: str) -> list[int]:
    try:
        values = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise click.BadParameter(
            f"{text!r}: ms separados por vírgula / comma-separated ms, e.g. 10,100,1000"
        ) from None
    if not values or min(values) < 1:
        raise click.BadParameter("intervalos >= 1 ms / intervals >= 1 ms")
    return values


@click.command("pipeline")
@click.option(
    "--records",
    default=100_000,
    show_default=True,
    type=click.IntRange(100, 10_000_000),
    help="Registros / records (N).",
)
@click.option(
    "--intervals",
    default="10,100,1000",
    show_default=True,
    callback=_intervals,
    help="Intervalos de commit (ms).",
)
@click.option(
    "--rounds",
    default=3,
    show_default=True,
    type=click.IntRange(1, 20),
    help="Rodadas; a 0 aquece / round 0 warms up.",
)
@click.option(
    "--quix/--no-quix", default=True, show_default=True, help="Incluir Quix Streams (EOS) / include Quix."
)
@click.option("--seed", type=int, default=None, help="Semente da ordem dos casos / case order seed.")
@lang_option
@out_dir_option
def pipeline(
    records: int,
    intervals: list[int],
    rounds: int,
    quix: bool,
    seed: int | None,
    lang: str,
    out_dir: Path | None,
) -> None:
    """EOS x ALO num estágio consume-transform-produce, e nosso runtime x Quix / EOS vs ALO, ours vs Quix."""
    settings = get_settings()
    seed = seed if seed is not None else random.SystemRandom().randrange(1_000_000)
    try:
        data = run_bench(settings, records, intervals, rounds, quix, seed, click.echo)
    except (BenchError, StackError) as error:  # before any run could start: Kafka down, topics, pre-fill
        raise click.ClickException(str(error)) from error
    publish(build_report(data), out_dir, lang=lang)
    if data["left_behind"]:
        click.echo(f"não removidos / not removed: {', '.join(data['left_behind'])}")
    if data["failed_runs"]:
        raise click.ClickException(
            f"{len(data['failed_runs'])} execução(ões) falharam / run(s) failed (contagem, duplicados em EOS "
            "ou transformação / count, EOS duplicates or transform): veja / see `failed_runs` no JSON"
        )
