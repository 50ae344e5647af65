import pytest

from tools.load.slo import parse_slo, slo_failures

REPORT = {
    "no_answer": 1,
    "rejected": {"503": 2},
    "accept_latency_ms": {"p50": 10.0, "p95": 40.0, "p99": 90.0},
    "checkout_to_terminal_ms": {"p50": 800.0, "p95": 1500.0, "p99": 2100.0},
}


def test_objectives_parse_and_each_miss_is_named_with_its_measure():
    slo = parse_slo("p99_ms=2000, errors=0,accept_p99_ms=100")
    assert slo == {"p99_ms": 2000.0, "errors": 0.0, "accept_p99_ms": 100.0}
    assert slo_failures(slo, REPORT) == [
        "p99_ms: medido / measured 2100 > 2000",
        "errors: medido / measured 3 > 0",
    ]
    assert slo_failures(parse_slo("p95_ms=1500,errors=3"), REPORT) == []


def test_no_data_fails_an_objective():
    report = {**REPORT, "checkout_to_terminal_ms": {"p99": float("nan")}}
    assert slo_failures({"p99_ms": 1e9}, report) == ["p99_ms: medido / measured nan > 1e+09"]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("p99=5", "name=value"),
        ("p99_ms", "name=value"),
        ("p99_ms=fast", "not a number"),
        ("errors=-1", "negative"),
        ("", "empty"),
    ],
)
def test_bad_objectives_are_refused_with_the_reason(text, says):
    with pytest.raises(ValueError, match=says):
        parse_slo(text)
