#!/usr/bin/env bash
# Backup benchmark: on the seed-demo data set (default 100 000 members, about 5 million rows), the time and size of
# `shepherd backup create`, `backup verify` and `backup restore`, on SQLite and on a throwaway PostgreSQL 15,
# each with a ratio against a baseline measured in the same run (this machine is shared and noisy):
#   create  vs a plain copy of the data (SQLite: cp of the database file; PostgreSQL: pg_dump -Fc)
#   verify  vs the bare restore inside it (SQLite: unzip of the payload; PostgreSQL: pg_restore into a new database)
#   restore vs the same bare restore
# Usage: bench/backup/run.sh [--members N] [--provider sqlite|postgres|both]
set -euo pipefail
cd "$(dirname "$0")/../.."

members=100000
provider=both
while (($#)); do
  case $1 in
    --members) members=$2; shift 2 ;;
    --provider) provider=$2; shift 2 ;;
    -h | --help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
case $provider in sqlite | postgres | both) ;; *) echo "bench: --provider is sqlite, postgres or both" >&2; exit 2 ;; esac

# shellcheck source=scripts/lib/postgres.sh
. scripts/lib/postgres.sh
work=$(mktemp -d /tmp/shepherd-bench.XXXXXX)
chmod 711 "$work"
trap 'stop_postgres; rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

command -v unzip >/dev/null || { apt-get update -qq && apt-get install -y -qq unzip >/dev/null; }
[[ $provider == sqlite ]] || bash scripts/deps
echo "bench: building Release..."
dotnet build src/Shepherd -c Release -o "$work/bin" -v q -nologo >/dev/null
shepherd() { (cd "$work/bin" && dotnet shepherd.dll "$@"); }
seconds() { local s=$EPOCHREALTIME; "$@" >"$work/last.log" 2>&1 || { cat "$work/last.log" >&2; return 1; }; awk -v a="$s" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
mib() { awk -v n="$(stat -c %s "$1")" 'BEGIN { printf "%.1f", n / 1048576 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }'; }
results=()

run_provider() {
  local name=$1 baseline_create baseline_restore create verify restore file
  echo "bench: $name: seeding $members members..."
  shepherd migrate up >/dev/null
  local seed; seed=$(seconds shepherd seed-demo --members "$members")
  echo "bench: $name: seeded in ${seed}s"

  file=$(shepherd backup create --label bench | sed -n 's/^Backup: //p')   # warm-up, and the file to measure
  rm -f "$file"
  create=$(seconds shepherd backup create --label bench)
  file=$(sed -n 's/^Backup: //p' "$work/last.log")
  verify=$(seconds shepherd backup verify "$file")
  restore=$(seconds shepherd backup restore "$file" --yes)

  if [[ $name == SQLite ]]; then
    baseline_create=$(seconds cp "$SHEPHERD_DB" "$work/copy.db")
    baseline_restore=$(seconds unzip -o -q "$file" -d "$work/unzipped")
    rm -rf "$work/copy.db" "$work/unzipped"
  else
    baseline_create=$(seconds as_pg "$pg_bin/pg_dump" -h 127.0.0.1 -p "$pg_port" -U postgres -Fc -f "$pg_dir/baseline.dump" shepherd_bench)
    as_pg "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres shepherd_baseline
    baseline_restore=$(seconds as_pg "$pg_bin/pg_restore" -h 127.0.0.1 -p "$pg_port" -U postgres --no-owner -d shepherd_baseline "$pg_dir/baseline.dump")
  fi
  results+=("$(printf '%-10s %9s %9s %8s %9s %9s %9s %9s %9s' "$name" "$create" "$baseline_create" "$(mib "$file")" \
    "$(ratio "$create" "$baseline_create")" "$verify" "$(ratio "$verify" "$baseline_restore")" "$restore" "$(ratio "$restore" "$baseline_restore")")")
}

if [[ $provider != postgres ]]; then
  export Shepherd__DataFolder=$work/sqlite Shepherd__Database__Provider=Sqlite
  SHEPHERD_DB=$work/sqlite/shepherd.db
  run_provider SQLite
  unset Shepherd__DataFolder Shepherd__Database__Provider
fi
if [[ $provider != sqlite ]]; then
  start_postgres "$work/pg"
  as_pg "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres shepherd_bench
  export Shepherd__DataFolder=$work/postgres Shepherd__Database__Provider=Postgres
  export ConnectionStrings__Shepherd="Host=127.0.0.1;Port=$pg_port;Username=postgres;Password=postgres;Database=shepherd_bench"
  run_provider PostgreSQL
fi

echo
echo "Backups of the seed-demo data set, $members members (seconds; size in MiB; ratio = Shepherd / baseline in this run)"
printf '%-10s %9s %9s %8s %9s %9s %9s %9s %9s\n' provider create baseline size ratio verify ratio restore ratio
printf '%s\n' "${results[@]}"
echo "baselines: create = cp of the SQLite file / plain pg_dump -Fc; verify and restore = unzip of the payload / plain pg_restore"
echo "(PostgreSQL runs with fsync off, as in scripts/test.)"
