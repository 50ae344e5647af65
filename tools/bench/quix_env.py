"""The virtualenv Quix Streams runs in for `pedidos bench pipeline`, created on first use.

No quixstreams release accepts our confluent-kafka pin (2.16.0): 3.28.1, the newest, asks for
confluent-kafka < 2.13 and pydantic-settings < 2.16. So Quix gets its own venv under the state dir, with the
newest confluent-kafka it accepts, and its stage runs there as a subprocess. Both pins are recorded in the
bench's JSON, since the two stages then run different librdkafka versions.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

REQUIREMENTS = ("quixstreams[avro]==3.28.1", "confluent-kafka[avro,schemaregistry]==2.12.2")
QUIX_STAGE = Path(__file__).with_name("quix_stage.py")


def venv_dir(state_dir: Path) -> Path:
    return state_dir / "venv-quix"


def venv_python(state_dir: Path) -> Path:
    return venv_dir(state_dir) / "bin" / "python"


def _stamp(state_dir: Path) -> Path:
    return venv_dir(state_dir) / "pedidos-requirements.txt"


def is_ready(state_dir: Path) -> bool:
    stamp = _stamp(state_dir)
    return venv_python(state_dir).exists() and stamp.exists() and stamp.read_text() == "\n".join(REQUIREMENTS)


def ensure_quix(state_dir: Path, echo: Callable[[str], None]) -> Path:
    """The venv's python, creating or updating the venv when its pins are not the ones above."""
    if is_ready(state_dir):
        return venv_python(state_dir)
    venv = venv_dir(state_dir)
    echo(f"  criando o venv do Quix Streams (uma vez, ~30 s) / creating the Quix Streams venv (once): {venv}")
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    subprocess.run(
        [
            str(venv_python(state_dir)),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            *REQUIREMENTS,
        ],
        check=True,
    )
    _stamp(state_dir).write_text("\n".join(REQUIREMENTS))
    echo("  venv do Quix pronto / Quix venv ready")
    return venv_python(state_dir)
