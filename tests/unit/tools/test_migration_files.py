from tools.provision.migrations import migration_files


def test_migrations_are_found_in_numeric_order(tmp_path):
    for name in ("002_b.sql", "010_c.sql", "001_a.sql", "notes.txt"):
        (tmp_path / name).write_text("SELECT 1;")
    assert [(v, p.name) for v, p in migration_files(tmp_path)] == [
        (1, "001_a.sql"),
        (2, "002_b.sql"),
        (10, "010_c.sql"),
    ]
