"""Kafka's own `ProducerPerformance` (kafka-tools, the jars `pedidos stack install` downloads), one run.

The tool's classpath is the kafka-tools directory alone: it carries its own kafka-clients, and mixing in the
broker's newer jars would put two client versions on one classpath. Its figures come from its own summary
lines; its CPU is read from /proc at the line it prints when its clock starts and at its last summary line,
so JVM start-up and producer construction are left out, as they are on our side.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.bench.cpu import delta, process_cpu_s
from tools.bench.producer_cases import (
    JAVA_JVM_OPTIONS,
    JAVA_MAIN,
    JAVA_WINDOW_START,
    JavaSummary,
    parse_java_summary,
    per_million,
)
from tools.stack.dist import KAFKA_TOOLS_VERSION, Distributions, find_java
from tools.stack.procs import StackError


class JavaToolMissing(RuntimeError):
    """No Java, or no kafka-tools jars: the message says what to run."""


@dataclass(frozen=True)
class JavaTool:
    java: str
    libs: Path
    java_version: str
    tools_version: str

    def argv(self, arguments: Sequence[str]) -> list[str]:
        return [self.java, *JAVA_JVM_OPTIONS, "-cp", f"{self.libs}/*", JAVA_MAIN, *arguments]


def find_tool(dist_dir: Path) -> JavaTool:
    libs = Distributions(dist_dir).kafka_tools_libs
    jars = sorted(libs.glob("kafka-tools-[0-9]*.jar"))
    if not jars:
        raise JavaToolMissing(
            f"ProducerPerformance (kafka-tools {KAFKA_TOOLS_VERSION}) não encontrado em / not found in "
            f"{libs}: rode / run `pedidos stack install`"
        )
    try:
        java = find_java(17)
    except StackError as error:
        raise JavaToolMissing(str(error)) from error
    version = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30).stderr
    return JavaTool(
        java=java,
        libs=libs,
        java_version=version.splitlines()[0] if version else "?",
        tools_version=jars[-1].stem.removeprefix("kafka-tools-"),
    )


def run_java(
    tool: JavaTool,
    arguments: Sequence[str],
    records: int,
    warmup: int,
    broker_cpu: Callable[[], float | None],
    timeout_s: float,
) -> dict[str, Any]:
    argv = tool.argv(arguments)
    lines: list[str] = []
    window_cpu = window_broker = end_cpu = end_broker = None
    total: JavaSummary | None = None
    steady: JavaSummary | None = None
    process_total_s: float | None = None
    with tempfile.TemporaryFile() as stderr:
        child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=stderr, text=True)
        watchdog = threading.Timer(timeout_s, child.kill)  # a hung run must not hang the benchmark
        watchdog.start()
        try:
            for line in child.stdout or ():
                lines.append(line.rstrip("\n"))
                if line.startswith(JAVA_WINDOW_START):
                    window_cpu, window_broker = process_cpu_s(child.pid), broker_cpu()
                summary = parse_java_summary(line)
                if summary is None:
                    continue
                if summary.steady_state:
                    steady = summary
                else:
                    total = summary
                if summary.steady_state or warmup == 0:  # the last line it prints: its clock has stopped
                    end_cpu, end_broker = process_cpu_s(child.pid), broker_cpu()
            # wait4, not wait(): the child's own rusage, JVM start-up included, for the record.
            _, status, usage = os.wait4(child.pid, 0)
            child.returncode = os.waitstatus_to_exitcode(status)
            process_total_s = usage.ru_utime + usage.ru_stime
        finally:
            watchdog.cancel()
            if child.returncode is None:
                child.kill()
                child.wait()
        stderr.seek(0)
        error_tail = stderr.read().decode(errors="replace")[-2000:]
    cpu_s = delta(window_cpu, end_cpu)
    broker_cpu_s = delta(window_broker, end_broker)
    figures = steady or total
    problems = []
    if child.returncode != 0:
        problems.append(f"saída / exit {child.returncode}: {error_tail.strip()[-500:]}")
    if total is None or total.records != records:
        problems.append(f"enviados / sent {total.records if total else '?'} de / of {records}")
    if warmup and (steady is None or steady.records != records - warmup):
        problems.append("sem linha de regime / no steady-state line")
    return {
        "ok": not problems,
        "error": "; ".join(problems) or None,
        "records": records,
        "delivered": total.records if total else 0,
        "warmup_records": warmup,
        "records_per_s": figures.records_per_s if figures else 0.0,
        "mb_per_s": figures.mb_per_s if figures else 0.0,
        "latency_ms": (
            {
                "p50": figures.p50_ms,
                "p99": figures.p99_ms,
                "max": figures.max_ms,
                "samples": None,  # the tool keeps at most ~500,000 sampled values
            }
            if figures
            else None
        ),
        "total": (
            {"records_per_s": total.records_per_s, "p50_ms": total.p50_ms, "p99_ms": total.p99_ms}
            if total
            else None
        ),
        "cpu_s": cpu_s,
        "cpu_s_per_million": per_million(cpu_s, records),
        "cpu_s_process_total": process_total_s,  # JVM start-up and shutdown included
        "broker_cpu_s": broker_cpu_s,
        "broker_cpu_s_per_million": per_million(broker_cpu_s, records),
        "argv": argv,
        "output": lines[-8:],
    }
