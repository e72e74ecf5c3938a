# Sourced, not run: a throwaway PostgreSQL cluster for tests and benchmarks.
#   postgres_start   installs PostgreSQL from Debian's packages when missing, runs initdb in a new
#                    temporary folder, starts it on a free loopback port (never the system service)
#                    and sets MEDIA_TEST_DATABASE_URL to its superuser's URL.
#   postgres_stop    stops the cluster and removes its folder (call it from your EXIT trap).
# As root the cluster runs as the `postgres` user (initdb refuses root); otherwise as yourself.

postgres_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$dir" ] || [ ! -x "$dir/initdb" ]; then
    bash "$(dirname "${BASH_SOURCE[0]}")/../setup" postgresql >&2 || return 1
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  fi
  [ -x "$dir/initdb" ] || { echo "postgres: no initdb after installing postgresql" >&2; return 1; }
  echo "$dir"
}

postgres_start() {
  local bin port password as=()
  bin=$(postgres_bin) || return 1
  POSTGRES_DIR=$(mktemp -d /tmp/media-pg.XXXXXX)
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir "$POSTGRES_DIR" postgres
    chown postgres "$POSTGRES_DIR"
    as=(runuser -u postgres --)
  fi
  POSTGRES_AS=("${as[@]}")
  POSTGRES_BIN=$bin
  password=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
  printf '%s\n' "$password" >"$POSTGRES_DIR/pw"
  chmod 600 "$POSTGRES_DIR/pw"
  [ "$(id -u)" -eq 0 ] && chown postgres "$POSTGRES_DIR/pw"
  "${as[@]}" "$bin/initdb" -D "$POSTGRES_DIR/data" -U postgres --pwfile="$POSTGRES_DIR/pw" \
    --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --no-locale >"$POSTGRES_DIR/initdb.log" 2>&1 ||
    { echo "postgres: initdb failed:" >&2; cat "$POSTGRES_DIR/initdb.log" >&2; return 1; }
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "${as[@]}" "$bin/pg_ctl" -D "$POSTGRES_DIR/data" -l "$POSTGRES_DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $POSTGRES_DIR -c max_connections=300 -c fsync=on" start >/dev/null ||
    { echo "postgres: the cluster did not start:" >&2; cat "$POSTGRES_DIR/server.log" >&2; return 1; }
  export MEDIA_TEST_DATABASE_URL="postgresql://postgres:$password@127.0.0.1:$port/postgres?sslmode=disable"
  echo "postgres: throwaway cluster on 127.0.0.1:$port ($("$bin/postgres" --version))" >&2
}

postgres_stop() {
  [ -n "${POSTGRES_DIR:-}" ] || return 0
  if [ -f "$POSTGRES_DIR/data/postmaster.pid" ]; then
    "${POSTGRES_AS[@]}" "$POSTGRES_BIN/pg_ctl" -D "$POSTGRES_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$POSTGRES_DIR"
  POSTGRES_DIR=""
}
