#!/usr/bin/env bash
# Takes a base backup of a PostgreSQL cluster for point-in-time recovery: pg_basebackup in tar
# format, gzip-compressed, with the WAL needed to make it consistent, in a folder named after
# the UTC time it started. Together with the WAL archive (archive-wal.sh) it lets
# restore-to-time.sh rebuild the cluster as it was at any moment after the backup.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: base-backup.sh <backup-folder> [pg_basebackup connection options...]

Takes a base backup into <backup-folder>/<YYYYMMDDTHHMMSSZ>/ (base.tar.gz, pg_wal.tar.gz,
backup_manifest) and prints its path. The folder is created if missing.

Connection: the usual PostgreSQL environment (PGHOST, PGPORT, PGUSER, PGPASSWORD) or options
passed through to pg_basebackup, e.g.
  base-backup.sh /var/lib/postgresql/wal-archive/base -h 127.0.0.1 -p 5432 -U postgres
The user needs the REPLICATION attribute and a "replication" line in pg_hba.conf.

pg_basebackup is taken from PG_BIN, else PATH, else /usr/lib/postgresql/15/bin.
Run it as the PostgreSQL server's user (e.g. sudo -u postgres) so the files belong to it.
USAGE
}

fail() {
  echo "base-backup.sh: $*" >&2
  exit 1
}

if [[ ${1:-} == --help || ${1:-} == -h ]]; then
  usage
  exit 0
fi
if (($# < 1)) || [[ -z $1 || $1 == -* ]]; then
  usage >&2
  fail "the first argument must be the folder that keeps base backups, e.g. /var/lib/postgresql/wal-archive/base."
fi

folder=$1
shift

if [[ -n ${PG_BIN:-} ]]; then
  pg_basebackup=$PG_BIN/pg_basebackup
elif command -v pg_basebackup >/dev/null 2>&1; then
  pg_basebackup=$(command -v pg_basebackup)
else
  pg_basebackup=/usr/lib/postgresql/15/bin/pg_basebackup
fi
[[ -x $pg_basebackup ]] ||
  fail "pg_basebackup was not found ($pg_basebackup): install the PostgreSQL server or client package (Debian: apt-get install postgresql-15) or set PG_BIN."

mkdir -p -- "$folder" || fail "cannot create $folder: create it and give it to the user running this script."
name=$(date -u +%Y%m%dT%H%M%SZ)
final=$folder/$name
[[ ! -e $final ]] || fail "$final already exists: wait a second and run it again."
# Only a complete backup gets its final name, so a half-written one is never restored by mistake.
partial=$folder/.$name.partial
trap 'rm -rf -- "$partial"' EXIT

echo "Taking base backup into $final ..."
# --wal-method=stream puts the WAL written during the backup into the backup itself, so the
# backup is consistent even without the archive; --checkpoint=fast starts it at once.
"$pg_basebackup" --pgdata="$partial" --format=tar --gzip --wal-method=stream --checkpoint=fast \
  --label="shepherd-$name" "$@" ||
  fail "pg_basebackup failed (see above). Check the connection options, that the user has REPLICATION and that pg_hba.conf allows a replication connection."

sync -- "$partial"/* "$partial"
mv -T -- "$partial" "$final"
sync -- "$folder"
trap - EXIT
echo "Base backup: $final"
du -sh -- "$final" | cut -f1 | sed 's/^/Size: /'
