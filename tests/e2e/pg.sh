# pg.sh — a throwaway PostgreSQL server for the tests, sourced by
# tests/e2e/test_postgres.sh (and usable by hand: `. tests/e2e/pg.sh;
# pg_start; pg_createdb mydb; echo "$DB_URL"; pg_stop`).
#
# pg_start makes a cluster with initdb in a temporary directory and starts it
# with pg_ctl, listening on a unix socket in that directory only (no TCP, so
# no port to find or to collide on). initdb refuses to run as root: as root
# the server commands run as the `postgres` user (runuser) in a directory
# chowned to it; otherwise as the current user. The cluster is C-locale and
# UTF-8, trusts local connections, and is deleted by pg_stop.

PG_BIN=${PG_BIN:-}
PG_DIR=
PG_USER=
PG_SUPER=

# pg_find_bin: sets PG_BIN to the newest /usr/lib/postgresql/*/bin with initdb.
pg_find_bin() {
  if [ -z "$PG_BIN" ]; then
    local d
    for d in /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
      [ -x "$d/initdb" ] && { PG_BIN=$d; break; }
    done
  fi
  [ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ]
}

# pg_as CMD...: runs a server command as the cluster's owner.
pg_as() {
  if [ -n "$PG_USER" ]; then runuser -u "$PG_USER" -- "$@"; else "$@"; fi
}

# pg_start: starts the server; sets PG_DIR (socket directory) and PG_SUPER
# (the superuser role). Returns 1 with a message when it cannot.
pg_start() {
  pg_find_bin || { echo "pg.sh: no PostgreSQL server binaries (apt-get install postgresql)"; return 1; }
  PG_DIR=$(mktemp -d /tmp/dissent-pg.XXXXXX) || return 1
  if [ "$(id -u)" -eq 0 ]; then
    PG_USER=postgres
    id "$PG_USER" > /dev/null 2>&1 || { echo "pg.sh: running as root and there is no 'postgres' user"; return 1; }
    chown "$PG_USER" "$PG_DIR"
    PG_SUPER=$PG_USER
  else
    PG_USER=
    PG_SUPER=$(id -un)
  fi
  pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U "$PG_SUPER" --auth=trust --locale=C -E UTF8 \
    > "$PG_DIR/initdb.log" 2>&1 || { echo "pg.sh: initdb failed"; cat "$PG_DIR/initdb.log"; return 1; }
  pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
    -o "-c listen_addresses='' -k $PG_DIR -c fsync=off -c full_page_writes=off" start \
    > "$PG_DIR/pg_ctl.log" 2>&1 || { echo "pg.sh: the server did not start"; cat "$PG_DIR/server.log"; return 1; }
}

# pg_url DBNAME: the connection URL of a database on this server.
pg_url() { printf 'postgresql:///%s?host=%s&user=%s\n' "$1" "$PG_DIR" "$PG_SUPER"; }

# pg_createdb DBNAME: creates a database and exports DB_URL for it.
pg_createdb() {
  "$PG_BIN/createdb" -h "$PG_DIR" -U "$PG_SUPER" "$1" || return 1
  DB_URL=$(pg_url "$1")
  export DB_URL
}

# pg_dropdb DBNAME
pg_dropdb() { "$PG_BIN/dropdb" -h "$PG_DIR" -U "$PG_SUPER" --if-exists "$1"; }

# pg_stop: stops the server and deletes its directory.
pg_stop() {
  [ -n "$PG_DIR" ] || return 0
  if [ -f "$PG_DIR/data/postmaster.pid" ]; then
    pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop > /dev/null 2>&1
  fi
  rm -rf "$PG_DIR"
  PG_DIR=
}
