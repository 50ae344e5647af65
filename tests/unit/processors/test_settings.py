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


def test_each_client_address_can_name_its_own_host_as_compose_does(default_settings_env, monkeypatch):
    for name, host in [("HOST", "0.0.0.0"), ("KAFKA_HOST", "kafka"), ("REGISTRY_HOST", "registry")]:
        monkeypatch.setenv(f"PEDIDOS_{name}", host)
    monkeypatch.setenv("PEDIDOS_POSTGRES_HOST", "postgres")
    monkeypatch.setenv("PEDIDOS_PROMETHEUS_HOST", "prometheus")
    settings = Settings()
    assert settings.bootstrap_servers == "kafka:9092"
    assert settings.registry_url == "http://registry:8081/apis/ccompat/v7"
    assert settings.database_url == "postgresql://pedidos:pedidos@postgres:5433/pedidos"
    assert settings.prometheus_url == "http://prometheus:9090"
    assert settings.alertmanager_url == "http://0.0.0.0:9095"  # nothing in compose reaches it by this setting
