import json
import math
from pathlib import Path

import click
from click.testing import CliRunner

from tools.reports import (
    BarChart,
    LineChart,
    Report,
    Table,
    finite,
    json_option,
    ms_text,
    publish,
    write_json,
)
from tools.text import Text


def test_table_aligns_columns_and_marks_missing_values() -> None:
    text = Table(["caso", "msg/s"], [["P0", 1234.5], ["P3 idempotente", None]]).render().splitlines()
    assert text[0].startswith("caso") and text[0].endswith("msg/s")
    assert len({len(line) for line in text[:2]}) == 1  # header and rule share one width
    assert text[2].endswith("1,234") and text[3].endswith("-")


def test_publish_writes_json_and_png(tmp_path: Path) -> None:
    printed: list[str] = []
    report = Report(
        kind="bench-example",
        title=Text("Exemplo", "Example"),
        table=Table(["a", "b"], [["x", 1.5]]),
        data={"runs": [1, 2]},
        charts=[
            BarChart("razão", ["x"], {"nós/ours": [1.2]}, "ratio", reference_line=1.0),
            LineChart("lag", [0, 1, 2], {"lag": [0, 5, 0]}, "s", "records", markers=[(1, "kill")]),
        ],
        conclusion=Text("Nada se perdeu.", "Nothing was lost."),
    )
    path = publish(report, tmp_path, lang="en", echo=printed.append)
    body = json.loads(path.read_text())
    assert body["kind"] == "bench-example" and body["chart"] == "bench-example.png"
    assert body["table"] == {"columns": ["a", "b"], "rows": [["x", 1.5]]}
    assert body["conclusion"] == {"pt": "Nada se perdeu.", "en": "Nothing was lost."}
    assert (tmp_path / "bench-example.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Nothing was lost." in printed and "Example" in printed


def test_json_option_writes_the_bare_figures_only_when_asked(tmp_path: Path) -> None:
    @click.command()
    @json_option
    def measure(json_path: Path | None) -> None:
        write_json(json_path, {"p99_ms": 12.5, "aviso": "não"})

    target = tmp_path / "deep" / "figures.json"
    result = CliRunner().invoke(measure, ["--json", str(target)])
    assert result.exit_code == 0 and f"JSON: {target}" in result.output
    assert json.loads(target.read_text()) == {"p99_ms": 12.5, "aviso": "não"}
    assert "não" in target.read_text()  # readable Portuguese, as in the report files

    result = CliRunner().invoke(measure, [])
    assert result.exit_code == 0 and result.output == ""
    assert "--json" in CliRunner().invoke(measure, ["--help"]).output


def test_missing_figures_show_as_empty_cells_and_dashes() -> None:
    assert finite(12.5) == 12.5 and finite(math.nan) is None
    assert ms_text(12.5) == "12.5 ms" and ms_text(math.nan) == "-"
    assert Table(["p99"], [[finite(math.nan)]]).render().splitlines()[-1] == "-"
