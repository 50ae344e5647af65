"""Provisioning is idempotent and the environment matches the declarations."""

from __future__ import annotations

import psycopg
from click.testing import CliRunner

from processors.topics import TOPICS, TopicSpec
from tools.cli import main
from tools.provision.migrations import apply_migrations, migration_files
from tools.provision.topics import describe_mismatches, provision_topics


def test_every_declared_topic_exists_with_its_declared_settings(settings, admin):
    existing = admin.list_topics(timeout=10).topics
    assert [t.name for t in TOPICS if t.name not in existing] == []
    assert describe_mismatches(admin, settings.kafka_brokers, list(TOPICS)) == [[] for _ in TOPICS]


def test_a_topic_with_different_settings_is_reported_not_kept(settings, admin, new_topic):
    name = new_topic("drift", partitions=1)
    declared = TopicSpec(name, "drift probe", (), (), partitions=2, retention_ms=60_000)
    report = provision_topics(admin, settings.kafka_brokers, (declared,))
    assert report.created == [] and report.unchanged == []
    assert f"{name}: partitions declared 2, found 1" in report.mismatches
    assert any(m.startswith(f"{name}: retention.ms declared 60000") for m in report.mismatches)


def test_migrations_are_applied_once_and_recorded(settings):
    report = apply_migrations(settings.database_url)
    assert report.applied == [] and report.changed_after_apply == []
    with psycopg.connect(settings.database_url) as conn:
        recorded = conn.execute("SELECT version, name FROM schema_migrations ORDER BY version").fetchall()
    assert recorded == [(version, path.name) for version, path in migration_files()]


def test_provision_command_run_twice_changes_nothing():
    runner = CliRunner()
    first = runner.invoke(main, ["provision"])
    second = runner.invoke(main, ["provision"])
    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert "0 aplicadas / applied" in second.output
    assert "0 criados / created" in second.output
    assert "0 registrados / registered" in second.output
