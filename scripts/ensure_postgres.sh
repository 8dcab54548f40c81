#!/usr/bin/env bash
# The production-stack tests (tests/e2e/stack.py) start their own PostgreSQL server from the
# machine's packages. Install Debian's postgresql when its server programs are missing and we
# may (root with apt-get); otherwise say what to install.
set -euo pipefail
if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "test: installing PostgreSQL (Debian package postgresql) for the production-stack tests"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  exit 0
fi
echo "test: PostgreSQL server programs (initdb, pg_ctl) not found; install your system's" \
  "postgresql package for the production-stack tests" >&2
exit 1
