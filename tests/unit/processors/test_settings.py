from processors.settings import PROJECT_ROOT, Settings


def test_defaults_point_at_loopback_and_the_project_state_dir(default_settings_env):
    settings = Settings()
    assert settings.bootstrap_servers == "127.0.0.1:9092"
    assert settings.registry_url == "http://127.0.0.1:8081/apis/ccompat/v7"
    assert settings.database_url == "postgresql://pedidos:pedidos@127.0.0.1:5433/pedidos"
    assert settings.state_dir == PROJECT_ROOT / ".state"


def test_environment_variables_override_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("PEDIDOS_KAFKA_PORT", "19092")
    monkeypatch.setenv("PEDIDOS_KAFKA_BROKERS", "3")
    monkeypatch.setenv("PEDIDOS_STATE_DIR", str(tmp_path))
    settings = Settings()
    assert settings.bootstrap_servers == "127.0.0.1:19092,127.0.0.1:19093,127.0.0.1:19094"
    assert settings.state_dir == tmp_path
