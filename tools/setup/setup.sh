#!/usr/bin/env bash
# Installs what a fresh machine lacks, idempotently, and says what it is doing:
#   1. Debian packages: PostgreSQL server, Java 17, Maven (apt; skipped when already present)
#   2. the project virtualenv (.venv) with the package installed editable (skipped when pyproject is unchanged)
#   3. Kafka and Apicurio from Maven Central, and a Java 21+ for the registry (`pedidos stack install`)
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
if ((${#missing[@]})); then
  say "apt: instalando / installing ${missing[*]}"
  [ "$(id -u)" = 0 ] || fail "apt-get precisa de root / needs root: sudo apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || fail "apt-get update falhou / failed"
  apt-get install -y -qq "${missing[@]}" >/dev/null || fail "apt-get install ${missing[*]} falhou / failed"
  # Debian's package starts a system cluster on 5432; ours runs on its own port, the system one is left alone.
else
  say "apt: PostgreSQL, Java e Maven já presentes / already present"
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

say "Kafka e Apicurio (Maven Central)"
.venv/bin/pedidos stack install
