#!/usr/bin/env bash
# Starts a throwaway PostgreSQL for tools/pg_differential.py and prints the
# psql command that reaches it (last line of stdout). The server listens
# only on a Unix socket in its own directory; `tools/pg_server.sh stop DIR`
# stops it. Installs Debian's postgresql package when no server is found
# (as .ci/run installs Java), and fails with what to do when it cannot.
set -euo pipefail

if [ "${1:-}" = "stop" ]; then
  dir=${2:?usage: tools/pg_server.sh stop DIR}
  bin=$(cat "$dir/bin")
  runuser=$(stat -c %U "$dir/data")
  if [ "$(id -u)" = 0 ] && [ "$runuser" != root ]; then
    su "$runuser" -s /bin/sh -c "$bin/pg_ctl -D $dir/data -m fast stop" >/dev/null
  else
    "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null
  fi
  rm -rf "$dir"
  exit 0
fi

find_bin() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r) "$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/x)")"; do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
      echo "$d"
      return 0
    fi
  done
  return 1
}

bin=$(find_bin || true)
if [ -z "$bin" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing postgresql (needed by tools/pg_differential.py)" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    bin=$(find_bin || true)
  fi
fi
if [ -z "$bin" ]; then
  echo "no PostgreSQL server found (initdb, pg_ctl): install Debian's postgresql package, or put a server's bin directory on PATH" >&2
  exit 1
fi
command -v psql >/dev/null 2>&1 || [ -x "$bin/psql" ] || {
  echo "no psql found: install Debian's postgresql-client package" >&2
  exit 1
}
psql=$(command -v psql || echo "$bin/psql")

dir=$(mktemp -d /tmp/dynaquery-pg.XXXXXX)
echo "$bin" >"$dir/bin"
port=5433
init="$bin/initdb -D $dir/data -A trust -U postgres -E UTF8 --locale=C"
start="$bin/pg_ctl -D $dir/data -l $dir/log -w -o \"-k $dir -p $port -c listen_addresses=''\" start"
if [ "$(id -u)" = 0 ]; then
  # initdb refuses to run as root: run the server as the postgres user.
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown postgres "$dir"
  chmod 755 "$dir"
  su postgres -s /bin/sh -c "$init" >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  su postgres -s /bin/sh -c "$start" >/dev/null || { cat "$dir/log" >&2; exit 1; }
else
  sh -c "$init" >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  sh -c "$start" >/dev/null || { cat "$dir/log" >&2; exit 1; }
fi
echo "PostgreSQL ($("$bin/postgres" --version)) in $dir; stop it with: tools/pg_server.sh stop $dir" >&2
echo "$psql -h $dir -p $port -U postgres"
