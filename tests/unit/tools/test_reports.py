import json
from pathlib import Path

from tools.reports import BarChart, LineChart, Report, Table, publish


def test_table_aligns_columns_and_marks_missing_values() -> None:
    text = Table(["caso", "msg/s"], [["P0", 1234.5], ["P3 idempotente", None]]).render().splitlines()
    assert text[0].startswith("caso") and text[0].endswith("msg/s")
    assert len({len(line) for line in text[:2]}) == 1  # header and rule share one width
    assert text[2].endswith("1,234") and text[3].endswith("-")


def test_publish_writes_json_and_png(tmp_path: Path) -> None:
    printed: list[str] = []
    report = Report(
        kind="bench-example",
        title_pt="Exemplo",
        title_en="Example",
        table=Table(["a", "b"], [["x", 1.5]]),
        data={"runs": [1, 2]},
        charts=[
            BarChart("razão", ["x"], {"nós/ours": [1.2]}, "ratio", reference_line=1.0),
            LineChart("lag", [0, 1, 2], {"lag": [0, 5, 0]}, "s", "records", markers=[(1, "kill")]),
        ],
        conclusion_pt="Nada se perdeu.",
        conclusion_en="Nothing was lost.",
    )
    path = publish(report, tmp_path, lang="en", echo=printed.append)
    body = json.loads(path.read_text())
    assert body["kind"] == "bench-example" and body["chart"] == "bench-example.png"
    assert body["table"] == {"columns": ["a", "b"], "rows": [["x", 1.5]]}
    assert body["conclusion"] == {"pt": "Nada se perdeu.", "en": "Nothing was lost."}
    assert (tmp_path / "bench-example.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Nothing was lost." in printed and "Example" in printed
