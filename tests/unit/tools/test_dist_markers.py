"""An install made from an older pom gains the missing jars on the next install, keeping the ones in place."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.stack import dist
from tools.stack.dist import Distributions


@pytest.fixture
def maven_runs(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    runs: list[list[str]] = []

    def fake_mvn(args: list[str]) -> None:
        runs.append(args)
        out = Path(next(a for a in args if a.startswith("-DoutputDirectory=")).split("=", 1)[1])
        out.mkdir(parents=True, exist_ok=True)
        (out / "log4j-layout-template-json-2.24.3.jar").touch()

    monkeypatch.setattr(dist, "_mvn", fake_mvn)
    return runs


def test_an_older_install_gets_the_new_jars_once(tmp_path: Path, maven_runs: list[list[str]]) -> None:
    dists = Distributions(tmp_path)
    for libs in (dists.kafka_libs, dists.kafka_tools_libs):  # as an install before the JSON layout left it
        libs.mkdir(parents=True)
        (libs / "kafka_2.13.jar").touch()
        (libs.parent / ".complete").touch()
    dists.registry_home.mkdir(parents=True)
    (dists.registry_home / ".complete").touch()
    assert not dists.installed()

    dists.install(lambda _line: None)

    assert [run[1].rsplit("/", 1)[-1] for run in maven_runs] == ["kafka.xml", "kafka-tools.xml"]
    assert (dists.kafka_libs / "kafka_2.13.jar").exists()  # added to, not wiped: a broker may run from it
    assert (dists.kafka_libs / "log4j-layout-template-json-2.24.3.jar").exists()
    assert dists.installed()
    dists.install(lambda _line: None)
    assert len(maven_runs) == 2  # up to date: Maven not run again
