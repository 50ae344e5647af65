#!/usr/bin/env bash
# Installs what a fresh machine lacks, idempotently, and says what it is doing:
#   1. Debian packages: PostgreSQL server, Java 17, Maven, Chromium, Node, Prometheus, Alertmanager and the
#      PostgreSQL exporter (apt; skipped when present)
#   2. the project virtualenv (.venv) with the package installed editable (skipped when pyproject is unchanged)
#   3. Kafka, Apicurio and the JMX exporter agent from Maven Central, and a Java 21+ for the registry
#      (`pedidos stack install`)
#   4. the dashboard: npm ci and a Vite build into ui/dist (skipped when its sources are unchanged)
set -euo pipefail
cd "$(dirname "$0")/../.."

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
fail() { printf '\033[31mERRO / ERROR: %s\033[0m\n' "$*" >&2; exit 1; }

missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
command -v runuser >/dev/null 2>&1 || missing+=(util-linux)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)  # the dashboard's browser tests (Playwright)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
monitoring=()
command -v prometheus >/dev/null 2>&1 || monitoring+=(prometheus)
command -v prometheus-alertmanager >/dev/null 2>&1 || monitoring+=(prometheus-alertmanager)
command -v prometheus-postgres-exporter >/dev/null 2>&1 || monitoring+=(prometheus-postgres-exporter)
missing+=("${monitoring[@]}")
if ((${#missing[@]})); then
  say "apt: instalando / installing ${missing[*]}"
  [ "$(id -u)" = 0 ] || fail "apt-get precisa de root / needs root: sudo apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || fail "apt-get update falhou / failed"
  apt-get install -y -qq "${missing[@]}" >/dev/null || fail "apt-get install ${missing[*]} falhou / failed"
  # Debian's package starts a system cluster on 5432; ours runs on its own port, the system one is left alone.
  # The monitoring packages start system services on 9090/9093/9187 (9093 is a 3-node Kafka's node 2): ours run
  # as `pedidos stack up`'s own processes on their own ports, so the services just installed are stopped.
  for service in "${monitoring[@]}"; do
    if command -v systemctl >/dev/null 2>&1 && systemctl is-enabled "$service" >/dev/null 2>&1; then
      systemctl disable --now "$service" >/dev/null 2>&1 || true
    elif [ -x "/etc/init.d/$service" ]; then  # no systemd (a container): the package's SysV script
      "/etc/init.d/$service" stop >/dev/null 2>&1 || true
    fi
  done
else
  say "apt: PostgreSQL, Java, Maven e Prometheus já presentes / already present"
fi

stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  say "virtualenv .venv: pip install -e .[dev]"
  [ -x .venv/bin/python ] || python3 -m venv .venv || fail "python3 -m venv falhou / failed"
  .venv/bin/python -m pip install -q --upgrade pip || fail "pip upgrade falhou / failed"
  .venv/bin/python -m pip install -q -e '.[dev]' || fail "pip install -e .[dev] falhou / failed"
  rm -f .venv/.installed-* && touch "$stamp"
else
  say "virtualenv .venv já atualizado / up to date"
fi

say "Kafka, Apicurio e agente JMX / JMX agent (Maven Central)"
.venv/bin/pedidos stack install

lock_stamp=ui/node_modules/.installed-$(sha256sum ui/package-lock.json | cut -c1-16)
if [ ! -f "$lock_stamp" ]; then
  say "painel / dashboard: npm ci"
  (cd ui && npm ci --no-audit --no-fund --loglevel=error) || fail "npm ci falhou / failed (ui/)"
  touch "$lock_stamp"
else
  say "painel: node_modules já atualizado / up to date"
fi
sources=$(find ui/src ui/index.html ui/vite.config.ts ui/tsconfig.json ui/package-lock.json -type f -print0 |
  sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
if [ ! -f "ui/dist/.built-$sources" ]; then
  say "painel / dashboard: vite build -> ui/dist"
  (cd ui && npm run --silent build) || fail "npm run build falhou / failed (ui/)"
  touch "ui/dist/.built-$sources"  # vite empties dist/ on every build, so an old stamp never survives
else
  say "painel já compilado / dashboard already built"
fi
