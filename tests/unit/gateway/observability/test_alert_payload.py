"""Alertmanager's webhook payload checked field by field (gateway/observability/alert_payload.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from gateway.observability.alert_payload import InvalidPayload, parse_webhook
from tests.alert_payloads import alert, webhook

# Verbatim from Debian's prometheus-alertmanager 0.25 (webhook receiver, send_resolved: true), resolved.
ALERTMANAGER_0_25 = (
    '{"receiver":"capture","status":"resolved","alerts":[{"status":"resolved","labels":{"alertname":'
    '"PedidosServiceDown","instance":"payment-0","service":"payment","severity":"page"},"annotations":'
    '{"summary_pt":"payment-0 fora do ar"},"startsAt":"2026-12-06T05:16:43Z","endsAt":"2026-12-06T05:16:47Z",'
    '"generatorURL":"http://x/graph","fingerprint":"e134356b456e0fde"}],"groupLabels":{"alertname":'
    '"PedidosServiceDown"},"commonLabels":{"alertname":"PedidosServiceDown","instance":"payment-0","service":'
    '"payment","severity":"page"},"commonAnnotations":{"summary_pt":"payment-0 fora do ar"},"externalURL":'
    '"http://vm:40310","version":"4","groupKey":"{}:{alertname=\\"PedidosServiceDown\\"}","truncatedAlerts":0}'
)


def problems(body) -> dict[str, str]:
    with pytest.raises(InvalidPayload) as raised:
        parse_webhook(body)
    return {p["field"]: p["reason"] for p in raised.value.fields}


def test_a_firing_alert_is_read_with_its_labels_annotations_and_times():
    [parsed] = parse_webhook(webhook(alert()))
    assert (parsed.fingerprint, parsed.name, parsed.status) == (
        "4f1c2a9b7e3d5a60",
        "PedidosServiceDown",
        "firing",
    )
    assert parsed.labels["service"] == "payment" and parsed.annotations["summary_en"] == "payment-0 is down"
    assert parsed.starts_at == datetime(2026, 12, 6, 5, 10, 0, 123456, tzinfo=UTC)
    assert parsed.ends_at is None  # Go's zero time: still firing


def test_a_resolved_alert_keeps_its_end_and_every_alert_of_the_group_is_read():
    resolved = alert("resolved", ends_at="2026-12-06T05:12:30-03:00")
    other = alert(name="PedidosConsumerLagHigh", fingerprint="aa01")
    first, second = parse_webhook(webhook(resolved, other))
    assert first.status == "resolved" and first.ends_at == datetime(2026, 12, 6, 8, 12, 30, tzinfo=UTC)
    assert second.name == "PedidosConsumerLagHigh"


def test_what_alertmanager_really_sends_is_read():
    [parsed] = parse_webhook(json.loads(ALERTMANAGER_0_25))
    assert (parsed.fingerprint, parsed.status, parsed.labels["instance"]) == (
        "e134356b456e0fde",
        "resolved",
        "payment-0",
    )
    assert parsed.ends_at - parsed.starts_at == timedelta(seconds=4)


def test_annotations_may_be_absent():
    bare = alert()
    del bare["annotations"]
    assert parse_webhook(webhook(bare))[0].annotations == {}


@pytest.mark.parametrize("body", [None, [], "text", 4])
def test_a_body_that_is_not_an_object_is_refused(body):
    assert list(problems(body)) == ["body"]


def test_the_version_and_the_alert_list_are_required():
    assert set(problems({"version": "3", "alerts": []})) == {"version", "alerts"}
    assert set(problems({"version": "4"})) == {"alerts"}
    assert set(problems({"version": "4", "alerts": [alert()] * 1001})) == {"alerts"}


def test_each_bad_field_is_named_with_the_alert_it_belongs_to():
    bad = alert(status="pending", fingerprint="")
    bad["labels"]["alertname"] = ""
    bad["annotations"]["summary_pt"] = 3
    bad["startsAt"] = "2026-12-06 05:10"  # no zone
    found = problems(webhook(alert(), bad))
    assert set(found) == {
        "alerts[1].status",
        "alerts[1].fingerprint",
        "alerts[1].labels.alertname",
        "alerts[1].annotations",
        "alerts[1].startsAt",
    }
    assert "firing" in found["alerts[1].status"]


def test_times_must_be_rfc3339_and_a_resolved_alert_needs_its_end():
    assert set(problems(webhook(alert(starts_at="yesterday")))) == {"alerts[0].startsAt"}
    assert set(problems(webhook(alert(starts_at="0001-01-01T00:00:00Z")))) == {"alerts[0].startsAt"}
    assert set(problems(webhook(alert("resolved")))) == {"alerts[0].endsAt"}
    assert set(problems(webhook({**alert(), "labels": ["alertname"]}))) == {"alerts[0].labels"}
    assert set(problems({"version": "4", "alerts": ["alert"]})) == {"alerts[0]"}
