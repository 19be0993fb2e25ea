#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster on loopback:  scripts/pgtest.sh <command...>
# Uses an existing server when PGTEST_URL is set. The cluster lives under $PGTEST_DIR and is removed afterwards.
set -euo pipefail

if [ -n "${PGTEST_URL:-}" ]; then
  DATABASE_URL="$PGTEST_URL" exec "$@"
fi

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "pgtest: installing PostgreSQL from Debian packages" >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  else
    echo "pgtest: PostgreSQL server binaries not found (install the Debian package 'postgresql')" >&2
    exit 3
  fi
fi

port=${PGTEST_PORT:-54329}
dir=${PGTEST_DIR:-/tmp/gongzhi-pgtest-$$}
run_as=()
if [ "$(id -u)" = 0 ]; then run_as=(runuser -u postgres --); fi

rm -rf "$dir"; mkdir -p "$dir"
[ "$(id -u)" = 0 ] && chown postgres "$dir"
cleanup() { "${run_as[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT

"${run_as[@]}" "$bindir/initdb" -D "$dir/data" -U gongzhi --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${run_as[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
  -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
"${run_as[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U gongzhi gongzhi

DATABASE_URL="postgres://gongzhi@127.0.0.1:$port/gongzhi" "$@"
