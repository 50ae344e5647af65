"""The acks lab's counting and its conclusion, from crafted delivery reports and logs (no broker)."""

from __future__ import annotations

from dataclasses import astuple

import pytest

from tools.lab.acks_analysis import Delivery, count
from tools.lab.acks_report import COLUMNS, acks_report, conclusion


def _acked(*numbers: int, at: float = 0.0) -> dict[int, Delivery]:
    return {n: Delivery(True, at + n * 0.01) for n in numbers}


def _failed(*numbers: int) -> dict[int, Delivery]:
    return {n: Delivery(False, 1.0, "_MSG_TIMED_OUT") for n in numbers}


def test_a_clean_run_counts_nothing_abnormal():
    counts = count(5, _acked(0, 1, 2, 3, 4), [0, 1, 2, 3, 4])
    assert (counts.sent, counts.acked, counts.failed, counts.no_report) == (5, 5, 0, 0)
    assert (counts.acked_lost, counts.duplicates, counts.unacked_present, counts.out_of_order) == (0, 0, 0, 0)
    assert counts.records_in_log == counts.distinct_in_log == 5


def test_acked_records_missing_from_the_log_are_lost():
    counts = count(6, _acked(0, 1, 2, 3, 4, 5), [0, 1, 4, 5])
    assert counts.acked_lost == 2
    assert counts.lost_examples == (2, 3)


def test_every_extra_copy_is_one_duplicate():
    counts = count(3, _acked(0, 1, 2), [0, 1, 1, 2, 1, 2])
    assert counts.duplicates == 3  # 1 three times (2 extra) and 2 twice (1 extra)
    assert counts.duplicate_examples == (1, 2)
    assert counts.distinct_in_log == 3 and counts.records_in_log == 6
    assert counts.out_of_order == 0  # later copies are duplicates, not reordering


def test_a_failed_report_for_a_record_that_was_written_is_unacked_present():
    deliveries = {**_acked(0, 2), **_failed(1, 3)}
    counts = count(4, deliveries, [0, 1, 2])
    assert (counts.acked, counts.failed) == (2, 2)
    assert counts.unacked_present == 1  # 1 failed but is in the log; 3 failed and is not
    assert counts.acked_lost == 0


def test_records_without_any_report_are_counted_and_unacked_when_present():
    counts = count(4, _acked(0, 1), [0, 1, 2])
    assert counts.no_report == 2
    assert counts.acked + counts.failed + counts.no_report == counts.sent
    assert counts.unacked_present == 1


def test_a_retry_that_overtakes_a_later_batch_is_out_of_order():
    counts = count(6, _acked(*range(6)), [0, 1, 4, 5, 2, 3])
    assert counts.out_of_order == 2


def test_keys_that_are_not_ours_are_foreign_and_change_no_other_count():
    counts = count(2, _acked(0, 1), [0, -1, 7, 1])
    assert counts.foreign == 2
    assert (counts.acked_lost, counts.duplicates, counts.unacked_present) == (0, 0, 0)


def test_the_longest_gap_is_between_successful_reports_only():
    deliveries = {
        0: Delivery(True, 1.0),
        1: Delivery(True, 1.5),
        2: Delivery(False, 3.0, "x"),
        3: Delivery(True, 9.5),
    }
    assert count(4, deliveries, [0, 1, 3]).longest_ack_gap_s == pytest.approx(8.0)
    assert count(1, {0: Delivery(True, 1.0)}, [0]).longest_ack_gap_s == 0.0


def _result(key: str, label: str, counts, change: float | None = 9.2, **extra):
    return {
        "key": key,
        "label": label,
        "counts": counts.as_dict(),
        "leader_change_s": change,
        "back_in_isr_s": 20.0,
        "new_leader": 3,
        "unclean_election": False,
        **extra,
    }


def _data(*results):
    return {"lab": {"broker_session_timeout_ms": 9000}, "results": list(results)}


def _typical_run():
    all_sent = range(100)
    return _data(
        _result(
            "acks-0", "acks=0", count(100, _acked(*all_sent), [n for n in all_sent if n not in (40, 41)])
        ),
        _result("acks-1", "acks=1", count(100, _acked(*all_sent), [*range(50), 49, *range(50, 97)])),
        _result("acks-all", "acks=all + idempotence", count(100, _acked(*all_sent), list(all_sent)), 11.0),
    )


def test_the_conclusion_states_the_measured_numbers():
    pt, en = astuple(conclusion(_typical_run()))
    assert "2 deles ausentes" in pt and "2 of them missing" in en  # acks=0
    assert "3 registros confirmados pelo líder sumiram" in pt  # acks=1 lost 97, 98, 99
    assert "1 duplicados" in pt and "1 duplicates" in en
    assert "0 perdidos e 0 duplicados entre 100" in pt
    assert "9.2 a 11.0 s" in pt and "9.2 to 11.0 s" in en
    assert 3 <= pt.count(". ") + 1 <= 6


def test_the_conclusion_never_claims_a_loss_that_did_not_happen():
    clean = count(10, _acked(*range(10)), list(range(10)))
    data = _data(_result("acks-0", "acks=0", clean), _result("acks-1", "acks=1", clean))
    pt, en = astuple(conclusion(data))
    assert "0 deles ausentes" in pt and "desta vez nenhum" in pt
    assert "nenhum registro confirmado se perdeu" in pt and "no acknowledged record was lost" in en
    assert "sumiram" not in pt and "duplicados" not in pt


def test_a_loss_under_acks_all_is_reported_as_contradicting_the_guarantee():
    lossy = count(10, _acked(*range(10)), list(range(9)))
    pt, en = astuple(conclusion(_data(_result("acks-all", "acks=all + idempotence", lossy))))
    assert "1 perdidos" in pt and "contraria a garantia" in pt
    assert "contradicts the protocol's guarantee" in en


def test_unacked_present_records_get_their_own_sentence():
    counts = count(3, {**_acked(0, 1), **_failed(2)}, [0, 1, 2])
    pt, en = astuple(conclusion(_data(_result("acks-1", "acks=1", counts))))
    assert "1 registros estão no log mesmo sem ack (1 falhas" in pt
    assert "1 records are in the log without an ack" in en


def test_the_unclean_scenario_tells_whether_the_election_was_unclean():
    lossy = count(10, _acked(*range(10)), list(range(6)))
    unclean = _result("unclean", "acks=1 + unclean election", lossy, 12.0, unclean_election=True)
    pt, en = astuple(conclusion(_data(unclean)))
    assert "fora do ISR, virou líder e 4 registros confirmados sumiram" in pt
    assert "4 acknowledged records are gone" in en
    clean = _result("unclean", "acks=1 + unclean election", lossy, 12.0, unclean_election=False)
    assert "não foi suja" in conclusion(_data(clean)).pt


def test_the_report_has_one_row_per_scenario_and_two_charts():
    report = acks_report({**_typical_run(), "seconds_per_setting": 10, "rate": 100})
    assert report.kind == "lab-acks"
    assert len(report.table.columns) == len(COLUMNS)
    assert [row[0] for row in report.table.rows] == ["acks=0", "acks=1", "acks=all + idempotence"]
    sent_acked_lost = [(row[1], row[2], row[4]) for row in report.table.rows]
    assert sent_acked_lost == [(100, 100, 2), (100, 100, 3), (100, 100, 0)]
    volumes, anomalies = report.charts
    assert list(anomalies.series["duplicados / duplicates"]) == [0, 1, 0]
    assert list(volumes.series["ack"]) == [100, 100, 100]


def test_the_unclean_scenario_gets_its_own_anomaly_chart():
    lossy = count(10, _acked(*range(10)), list(range(6)))
    unclean = _result("unclean", "acks=1 + unclean election", lossy, 12.0, unclean_election=True)
    report = acks_report({**_typical_run(), "results": [*_typical_run()["results"], unclean]})
    _volumes, failovers, unclean_chart = report.charts
    assert list(failovers.categories) == ["acks=0", "acks=1", "acks=all + idempotence"]
    assert list(unclean_chart.categories) == ["acks=1 + unclean election"]
    assert list(unclean_chart.series["perdidos com ack / acked lost"]) == [4]
