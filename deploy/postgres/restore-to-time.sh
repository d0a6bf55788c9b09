#!/usr/bin/env bash
# Prepares a new PostgreSQL data directory that, when started, replays the WAL archive on top of
# a base backup and stops at a chosen moment (point-in-time recovery), then becomes a normal
# read-write server. It never touches a running cluster: it only fills an empty folder.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: restore-to-time.sh --base <base-backup> --archive <wal-archive> --target-time '<timestamp>' --data-dir <new-empty-dir>

  --base         a folder made by base-backup.sh (holding base.tar.gz), or a base.tar.gz itself;
                 it must be older than the target time
  --archive      the WAL archive folder archive-wal.sh writes to
  --target-time  the moment to restore to, with its time zone, e.g. '2025-03-02 14:05:00+00';
                 transactions committed after it are not replayed
  --data-dir     where the restored cluster goes: a new or empty folder

Unpacks the base backup, writes the recovery settings (restore_command, recovery_target_time,
recovery_target_action = promote, archive_mode = off) to postgresql.auto.conf, creates
recovery.signal, and prints how to start the server and what to check.
Run it as the PostgreSQL server's user (e.g. sudo -u postgres): the server refuses a data
directory it does not own.
USAGE
}

fail() {
  echo "restore-to-time.sh: $*" >&2
  exit 1
}

base='' archive='' target='' data=''
while (($# > 0)); do
  case $1 in
    -h | --help) usage; exit 0 ;;
    --base | --archive | --target-time | --data-dir)
      (($# >= 2)) || fail "$1 needs a value (see --help)."
      case $1 in
        --base) base=$2 ;;
        --archive) archive=$2 ;;
        --target-time) target=$2 ;;
        --data-dir) data=$2 ;;
      esac
      shift 2
      ;;
    *) usage >&2; fail "unknown argument '$1' (see --help)." ;;
  esac
done

missing=()
[[ -n $base ]] || missing+=(--base)
[[ -n $archive ]] || missing+=(--archive)
[[ -n $target ]] || missing+=(--target-time)
[[ -n $data ]] || missing+=(--data-dir)
if ((${#missing[@]} > 0)); then
  usage >&2
  fail "missing ${missing[*]}: all four options are required."
fi

if [[ -d $base ]]; then
  base_tar=$base/base.tar.gz
  wal_tar=$base/pg_wal.tar.gz
else
  base_tar=$base
  wal_tar=$(dirname -- "$base")/pg_wal.tar.gz
fi
[[ -f $base_tar ]] || fail "no base backup at $base_tar: give --base a folder made by base-backup.sh (ls <backup-folder>/base)."
[[ -d $archive ]] || fail "the WAL archive folder $archive does not exist: give --archive the folder named in archive_command."
archive=$(cd -- "$archive" && pwd)
compgen -G "$archive/[0-9A-F]*" >/dev/null || fail "the WAL archive $archive holds no WAL files: check --archive (the folder named in archive_command)."
[[ $target =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}[\ T][0-9]{2}:[0-9]{2} ]] ||
  fail "--target-time '$target' is not a timestamp: write it as 'YYYY-MM-DD HH:MM:SS+00' (with the time zone)."
if ! [[ $target =~ ([+-][0-9]{2}(:?[0-9]{2})?|Z|UTC|[A-Za-z]+/[A-Za-z_]+)$ ]]; then
  echo "restore-to-time.sh: warning: --target-time has no time zone, so the restored server reads it in its own 'timezone' setting; add +00 for UTC." >&2
fi

if [[ -e $data ]]; then
  [[ -d $data ]] || fail "--data-dir $data is a file: give a new or empty folder."
  [[ -z $(ls -A -- "$data") ]] || fail "--data-dir $data is not empty: restore into a new folder (move the old data away first, never restore over it)."
fi
if [[ $(id -u) -eq 0 ]]; then
  fail "do not run this as root: PostgreSQL refuses a data directory owned by root. Run it as the server's user: sudo -u postgres $0 ..."
fi
mkdir -p -- "$data" || fail "cannot create $data: create it, owned by $(id -un) with mode 700."
chmod 700 -- "$data"
data=$(cd -- "$data" && pwd)

echo "Unpacking $base_tar into $data ..."
tar -xzf "$base_tar" -C "$data"
if [[ -f $wal_tar ]]; then
  tar -xzf "$wal_tar" -C "$data/pg_wal"
fi
# Leftovers that would make the server start as a standby or think another server runs here.
rm -f -- "$data/standby.signal" "$data/postmaster.pid" "$data/postmaster.opts"

quote() { printf "'%s'" "${1//\'/\'\'}"; }
{
  echo
  echo "# Point-in-time recovery, written by restore-to-time.sh at $(date -u '+%Y-%m-%d %H:%M:%SZ')."
  echo "# After recovery: ALTER SYSTEM RESET for each line below, or delete them, before the next restart."
  echo "restore_command = $(quote "cp '$archive/%f' '%p'")"
  echo "recovery_target_time = $(quote "$target")"
  echo "recovery_target_action = 'promote'"
  echo "# Off so the restored server does not write into the production archive; switch it on when"
  echo "# this server becomes the primary (ALTER SYSTEM RESET archive_mode; restart; new base backup)."
  echo "archive_mode = 'off'"
} >>"$data/postgresql.auto.conf"
touch -- "$data/recovery.signal"

if [[ -f $data/postgresql.conf ]]; then
  start="/usr/lib/postgresql/15/bin/pg_ctl -D $data -l $data.log -o '-p 5433' start"
else
  # Debian keeps postgresql.conf in /etc/postgresql/<version>/<cluster>, outside the data directory.
  start="/usr/lib/postgresql/15/bin/pg_ctl -D $data -l $data.log -o \"-c config_file=/etc/postgresql/15/main/postgresql.conf -c data_directory=$data -c port=5433 -c external_pid_file=\" start"
fi
cat <<NEXT
Ready: $data will recover to $target when started.

1. Start it. A trial on a spare port while the old server still runs (here 5433):
     $start
   In place of a Debian cluster (stopped, /var/lib/postgresql/15/main moved away, restored into that path):
     systemctl start postgresql@15-main
2. Wait for recovery to end; in the log look for
     "recovery stopping before commit of transaction ..., time ..."   (stopped at the target)
     "archive recovery complete"                                      (promoted, read-write)
   and check:  psql -p 5433 -Atc 'SELECT pg_is_in_recovery()'   -> f
   "recovery ended before configured recovery target was reached" means the archive has no WAL up to
   the target time: pick an earlier time or find the missing WAL.
3. Check Shepherd's data (ConnectionStrings__Shepherd pointing at this server):
     shepherd migrate status
     shepherd backup create && shepherd backup verify <the file it printed>
4. Keep it: remove the recovery lines from $data/postgresql.auto.conf (or ALTER SYSTEM RESET
   restore_command, recovery_target_time, recovery_target_action, archive_mode), switch archiving on,
   restart, and take a new base backup with base-backup.sh: the old ones do not cover the new timeline.
NEXT
