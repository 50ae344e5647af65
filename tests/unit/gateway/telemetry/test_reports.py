import json
from pathlib import Path

import pytest

from gateway.telemetry.reports import InvalidKind, ReportNotFound, chart_path, list_reports
from tools.reports import BarChart, Report, Table, publish
from tools.text import Text


def _publish(directory: Path, kind: str, charts: bool = True) -> dict:
    report = Report(
        kind=kind,
        title=Text(f"Título {kind}", f"Title {kind}"),
        table=Table(["medida", "valor"], [["x", 1.5]]),
        data={"big": list(range(100))},
        charts=[BarChart("c", ["a"], {"s": [1.0]}, "y")] if charts else [],
        conclusion=Text("Conclusão.", "Conclusion."),
    )
    return json.loads(publish(report, directory, echo=lambda _line: None).read_text())


def test_lists_each_well_formed_report_newest_first_without_its_data(tmp_path: Path) -> None:
    _publish(tmp_path, "bench-telemetry")
    _publish(tmp_path, "chaos-kill", charts=False)
    path = tmp_path / "bench-telemetry.json"
    path.write_text(json.dumps(json.loads(path.read_text()) | {"created_at": "2000-01-01T00:00:00+00:00"}))

    listed = list_reports(tmp_path)

    assert [r["kind"] for r in listed] == ["chaos-kill", "bench-telemetry"]
    chaos, telemetry = listed
    assert set(chaos) == {"kind", "title", "created_at", "command", "has_chart", "conclusion", "table"}
    assert chaos["has_chart"] is False and telemetry["has_chart"] is True
    assert telemetry["title"] == {"pt": "Título bench-telemetry", "en": "Title bench-telemetry"}
    assert telemetry["table"] == {"columns": ["medida", "valor"], "rows": [["x", 1.5]]}
    assert telemetry["conclusion"] == {"pt": "Conclusão.", "en": "Conclusion."}


def test_files_not_in_the_report_shape_are_left_out(tmp_path: Path) -> None:
    _publish(tmp_path, "load")
    (tmp_path / "load-1000.json").write_text(json.dumps({"orders": 1000, "accepted": 1000}))  # older tool
    (tmp_path / "half.json").write_text('{"kind": "half", "ti')  # being written
    (tmp_path / "Upper.json").write_text(json.dumps({"kind": "Upper"}))
    body = json.loads((tmp_path / "load.json").read_text())
    (tmp_path / "renamed.json").write_text(json.dumps(body))  # kind does not match the file name

    assert [r["kind"] for r in list_reports(tmp_path)] == ["load"]


def test_a_missing_directory_is_an_empty_list(tmp_path: Path) -> None:
    assert list_reports(tmp_path / "nothing-yet") == []


def test_a_chart_without_its_png_is_not_announced(tmp_path: Path) -> None:
    _publish(tmp_path, "load")
    (tmp_path / "load.png").unlink()
    [load] = list_reports(tmp_path)
    assert load["has_chart"] is False
    with pytest.raises(ReportNotFound):
        chart_path(tmp_path, "load")


@pytest.mark.parametrize("kind", ["../secret", "..", "a/b", "Load", "load.json", "", "a b", "%2e%2e"])
def test_chart_kinds_outside_the_pattern_are_refused(tmp_path: Path, kind: str) -> None:
    with pytest.raises(InvalidKind):
        chart_path(tmp_path, kind)


def test_a_symlink_out_of_the_directory_is_not_served(tmp_path: Path) -> None:
    reports, outside = tmp_path / "reports", tmp_path / "outside.png"
    reports.mkdir()
    outside.write_bytes(b"\x89PNG")
    (reports / "evil.png").symlink_to(outside)
    _publish(reports, "load")
    assert chart_path(reports, "load") == reports / "load.png"
    with pytest.raises(ReportNotFound):
        chart_path(reports, "evil")


def test_nan_cells_reach_the_browser_as_null(tmp_path: Path) -> None:
    _publish(tmp_path, "load")
    body = json.loads((tmp_path / "load.json").read_text())
    body["table"]["rows"] = [["p99 ms", float("nan")]]
    (tmp_path / "load.json").write_text(json.dumps(body))  # Python writes the bare token NaN
    [load] = list_reports(tmp_path)
    assert load["table"]["rows"] == [["p99 ms", None]]
    json.dumps(load, allow_nan=False)  # what a strict JSON parser accepts
