# Throwaway PostgreSQL 15 clusters for scripts/test and the benchmarks: sourced, not run.
# start_postgres <dir> initdb's a cluster in <dir>/data and starts it on a free loopback port from 55432
# (sets pg_port and pg_dir); stop_postgres stops it. The caller deletes <dir>.

pg_bin=/usr/lib/postgresql/15/bin
first_port=55432
pg_started=
pg_dir=

# PostgreSQL refuses to run as root, so as root it runs as the postgres user the Debian
# package creates; a developer running as themselves can own the cluster directly.
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start_postgres() {
  pg_dir=$1
  mkdir "$pg_dir"
  [[ $(id -u) -eq 0 ]] && chown postgres: "$pg_dir"
  # Trust auth on loopback only: the cluster lives for one run and is unreachable from outside.
  as_pg "$pg_bin/initdb" -D "$pg_dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$pg_dir/initdb.log" 2>&1 ||
    { cat "$pg_dir/initdb.log" >&2; echo "test: initdb failed" >&2; return 1; }

  # Another run (or anything else) may take a port between probing and binding, so a
  # failed start moves on to the next port instead of giving up.
  local port=$first_port tries=0
  while ((tries < 20)); do
    if ! port_in_use "$port"; then
      # Durability settings off: a crash loses nothing we care about, and tests run faster.
      if as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
        -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$pg_dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null; then
        pg_started=1
        pg_port=$port
        return 0
      fi
      # A start that timed out may have left a server behind.
      as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    port=$((port + 1))
    tries=$((tries + 1))
  done
  cat "$pg_dir/server.log" >&2 2>/dev/null || true
  echo "test: could not start PostgreSQL on ports $first_port-$((port - 1))" >&2
  return 1
}

stop_postgres() {
  if [[ -n $pg_started ]]; then
    # Immediate: the data is thrown away anyway, and a smart shutdown would wait for
    # connections a killed run may have left open.
    as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    pg_started=
  fi
}
