"""The Avro value schemas of ``avro/``, one file per topic and version: ``<topic>.v<N>.avsc``.

Producers write with a topic's newest schema (processors/runtime/serde.py); provisioning registers every
version, oldest first (tools/provision/schemas.py).
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from processors.settings import PROJECT_ROOT

AVRO_DIR = PROJECT_ROOT / "avro"
_FILE = re.compile(r"^(?P<topic>.+)\.v(?P<version>\d+)\.avsc$")


def schema_files(avro_dir: Path = AVRO_DIR) -> dict[str, list[Path]]:
    """Schema files per topic, in version order."""
    by_topic: dict[str, list[tuple[int, Path]]] = defaultdict(list)
    for path in avro_dir.glob("*.avsc"):
        match = _FILE.match(path.name)
        if match is None:
            raise ValueError(f"{path.name}: schema files are named <topic>.v<N>.avsc")
        by_topic[match["topic"]].append((int(match["version"]), path))
    return {topic: [p for _, p in sorted(versions)] for topic, versions in sorted(by_topic.items())}


def latest_schema(topic: str, avro_dir: Path = AVRO_DIR) -> str:
    """The newest schema of a topic's value: the one producers write with."""
    return schema_files(avro_dir)[topic][-1].read_text()
