"""Data contracts: the Avro value schemas in avro/ and the PostgreSQL migrations in sql/.

No network: schemas are checked with fastavro only. The backward-compatibility test is the
practical one (data written with vN is readable with vN+1), the same direction the registry
enforces with BACKWARD compatibility when provisioning registers the versions in order.
"""

import datetime as dt
import io
import json
import re
import uuid
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import fastavro
import pytest
from fastavro.schema import parse_schema

from processors.events import EVENT_TYPES

ROOT = Path(__file__).resolve().parents[2]
AVRO_DIR = ROOT / "avro"
SQL_DIR = ROOT / "sql"

AVSC_NAME = re.compile(r"^(?P<topic>[a-z][a-z0-9]*(?:[.-][a-z0-9]+)*)\.v(?P<version>[1-9][0-9]*)\.avsc$")
SQL_NAME = re.compile(r"^(?P<number>[0-9]{3})_[a-z0-9_]+\.sql$")

# Event topics carry the envelope (topic -> record name, the mapping the code uses); saga.state, customers,
# products do not.
EVENT_TOPICS = EVENT_TYPES
EXPECTED_RECORDS = {
    **{topic: ("br.pedidos.events", name) for topic, name in EVENT_TOPICS.items()},
    "saga.state": ("br.pedidos.saga", "SagaState"),
    "customers": ("br.pedidos.catalog", "Customer"),
    "products": ("br.pedidos.catalog", "Product"),
}
MIN_VERSIONS = {"inventory.reserved": 2}  # the schema-evolution lesson needs v1 -> v2

ENVELOPE = [
    ("event_id", {"type": "string", "logicalType": "uuid"}),
    ("event_type", "string"),
    ("occurred_at", {"type": "long", "logicalType": "timestamp-millis"}),
    ("order_id", "string"),
    ("correlation_id", "string"),
    ("causation_id", ["null", "string"]),
    ("producer", "string"),
]


def _load_avsc() -> dict[str, dict[int, dict]]:
    """topic -> {version: raw schema dict}."""
    chains: dict[str, dict[int, dict]] = defaultdict(dict)
    for path in sorted(AVRO_DIR.glob("*.avsc")):
        match = AVSC_NAME.match(path.name)
        if not match:
            continue  # reported by test_avsc_file_names_follow_the_convention
        chains[match["topic"]][int(match["version"])] = json.loads(path.read_text(encoding="utf-8"))
    return dict(chains)


SCHEMAS = _load_avsc()
ALL_FILES = [(topic, v) for topic, versions in sorted(SCHEMAS.items()) for v in sorted(versions)]
UPGRADES = [
    (topic, v) for topic, versions in sorted(SCHEMAS.items()) for v in sorted(versions) if v + 1 in versions
]


# --- sample data, built from the schema itself ---------------------------------------------------


def sample(schema, named: dict, variant: int):
    """A valid datum for `schema`. variant 0 takes the first union branch (usually null) and empty
    arrays; variant 1 the last branch and one array element, so both shapes are exercised."""
    if isinstance(schema, str):
        if schema in named:
            return sample(named[schema], named, variant)
        return {
            "null": None,
            "boolean": True,
            "int": 3,
            "long": 42,
            "float": 1.5,
            "double": 2.5,
            "bytes": b"\x01\x02",
            "string": "texto",
        }[schema]
    if isinstance(schema, list):
        return sample(schema[0] if variant == 0 else schema[-1], named, variant)
    kind = schema["type"]
    logical = schema.get("logicalType")
    if logical == "uuid":
        return uuid.UUID(int=variant + 1)  # fastavro accepts str or UUID, and decodes to UUID
    if logical == "timestamp-millis":
        return dt.datetime(2024, 5, 17, 12, 30, 0, 123000, tzinfo=dt.UTC)
    if logical == "decimal":
        return Decimal("1234.50").quantize(Decimal(1).scaleb(-schema["scale"]))
    if kind == "record":
        named[schema["name"]] = schema
        if "namespace" in schema:
            named[f"{schema['namespace']}.{schema['name']}"] = schema
        return {f["name"]: sample(f["type"], named, variant) for f in schema["fields"]}
    if kind == "array":
        return [] if variant == 0 else [sample(schema["items"], named, variant)]
    if kind == "map":
        return {} if variant == 0 else {"k": sample(schema["values"], named, variant)}
    if kind == "enum":
        return schema["symbols"][0]
    if kind == "fixed":
        return b"\x00" * schema["size"]
    return sample(kind, named, variant)


def roundtrip(writer: dict, reader: dict, datum: dict) -> dict:
    buf = io.BytesIO()
    fastavro.schemaless_writer(buf, parse_schema(writer), datum)
    buf.seek(0)
    return fastavro.schemaless_reader(buf, parse_schema(writer), parse_schema(reader))


# --- avro ----------------------------------------------------------------------------------------


def test_avsc_file_names_follow_the_convention():
    bad = [p.name for p in AVRO_DIR.iterdir() if p.is_file() and not AVSC_NAME.match(p.name)]
    assert not bad, f"expected <topic>.v<N>.avsc: {bad}"


def test_every_expected_topic_has_a_v1_and_nothing_else_is_there():
    assert set(SCHEMAS) == set(EXPECTED_RECORDS)
    for topic, versions in SCHEMAS.items():
        assert sorted(versions) == list(range(1, len(versions) + 1)), (
            f"{topic}: versions must be 1..N, no gaps"
        )
        assert len(versions) >= MIN_VERSIONS.get(topic, 1), topic


@pytest.mark.parametrize(("topic", "version"), ALL_FILES)
def test_schema_parses_and_roundtrips(topic, version):
    schema = SCHEMAS[topic][version]
    parse_schema(schema)
    for variant in (0, 1):
        datum = sample(schema, {}, variant)
        assert roundtrip(schema, schema, datum) == datum


@pytest.mark.parametrize(("topic", "version"), ALL_FILES)
def test_record_name_namespace_and_doc(topic, version):
    schema = SCHEMAS[topic][version]
    assert schema["type"] == "record"
    assert (schema.get("namespace"), schema["name"]) == EXPECTED_RECORDS[topic]
    assert schema.get("doc"), f"{topic}.v{version}: the record needs a doc"


@pytest.mark.parametrize(("topic", "version"), [(t, v) for t, v in ALL_FILES if t in EVENT_TOPICS])
def test_events_start_with_the_envelope(topic, version):
    fields = SCHEMAS[topic][version]["fields"]
    head = [(f["name"], f["type"]) for f in fields[: len(ENVELOPE)]]
    assert head == ENVELOPE
    causation = fields[5]
    assert "default" in causation and causation["default"] is None
    payload_names = [f["name"] for f in fields[len(ENVELOPE) :]]
    assert payload_names, f"{topic}: an event needs a payload"


def _money_fields(schema, path=""):
    if isinstance(schema, list):
        for branch in schema:
            yield from _money_fields(branch, path)
    elif isinstance(schema, dict):
        if schema.get("logicalType") == "decimal":
            yield path, schema
        for f in schema.get("fields", []):
            yield from _money_fields(f["type"], f"{path}.{f['name']}")
        if "items" in schema:
            yield from _money_fields(schema["items"], f"{path}[]")


@pytest.mark.parametrize(("topic", "version"), ALL_FILES)
def test_money_is_decimal_12_2(topic, version):
    for path, decimal in _money_fields(SCHEMAS[topic][version]):
        assert decimal == {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2}, path


@pytest.mark.parametrize(("topic", "version"), UPGRADES)
def test_next_version_reads_data_written_with_previous(topic, version):
    old, new = SCHEMAS[topic][version], SCHEMAS[topic][version + 1]
    assert (old.get("namespace"), old["name"]) == (new.get("namespace"), new["name"])
    old_names = {f["name"] for f in old["fields"]}
    added = [f for f in new["fields"] if f["name"] not in old_names]
    for f in added:
        assert "default" in f, f"{topic}.v{version + 1}: new field {f['name']} needs a default"
    for variant in (0, 1):
        datum = sample(old, {}, variant)
        read = roundtrip(old, new, datum)
        for f in new["fields"]:
            if f["name"] in old_names:
                assert read[f["name"]] == datum[f["name"]], f["name"]
        for f in added:
            assert read[f["name"]] == f["default"], f["name"]


def test_inventory_reserved_v2_adds_optional_warehouse():
    v1, v2 = SCHEMAS["inventory.reserved"][1], SCHEMAS["inventory.reserved"][2]
    added = [f for f in v2["fields"] if f["name"] not in {g["name"] for g in v1["fields"]}]
    assert [f["name"] for f in added] == ["warehouse"]


# --- sql -----------------------------------------------------------------------------------------

SQL_FILES = sorted(SQL_DIR.glob("*.sql"))
TRANSACTION_STATEMENT = re.compile(
    r"(^|;)\s*(BEGIN|COMMIT|ROLLBACK|END|START\s+TRANSACTION|SAVEPOINT)\b", re.IGNORECASE
)


def _strip_comments(sql: str) -> str:
    sql = re.sub(r"/\*.*?\*/", " ", sql, flags=re.DOTALL)
    return re.sub(r"--[^\n]*", " ", sql)


def test_sql_files_are_numbered_consecutively_from_001():
    assert SQL_FILES, "no migrations in sql/"
    numbers = []
    for path in SQL_FILES:
        match = SQL_NAME.match(path.name)
        assert match, f"{path.name}: expected NNN_<name>.sql"
        numbers.append(int(match["number"]))
    assert numbers == list(range(1, len(numbers) + 1))


@pytest.mark.parametrize("path", SQL_FILES, ids=lambda p: p.name)
def test_sql_has_no_transaction_control(path):
    sql = _strip_comments(path.read_text(encoding="utf-8"))
    assert sql.strip(), f"{path.name} is empty"
    assert not TRANSACTION_STATEMENT.search(sql), "the migrator wraps each file in its own transaction"
    assert not re.search(r"\bCONCURRENTLY\b", sql, re.IGNORECASE), "cannot run inside a transaction"
    assert not re.search(r"\bschema_migrations\b", sql, re.IGNORECASE), "owned by the migrator"
