#!/usr/bin/env bash
# PostgreSQL's archive_command for Shepherd's point-in-time recovery: copies one finished WAL
# segment (or history/backup file) into the archive folder so that a crash at any moment leaves
# either no file or the complete file under its real name, never a partial one.
#
#   archive_command = '/opt/shepherd/deploy/postgres/archive-wal.sh %p %f /var/lib/postgresql/wal-archive'
#
# Exit 0 only when the file is safely in the archive. Any other exit makes PostgreSQL keep the
# segment in pg_wal and retry, which is what we want when the disk is full or the folder is gone.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: archive-wal.sh <path-of-wal-file> <file-name> <archive-dir>

PostgreSQL's archive_command for point-in-time recovery. In postgresql.conf:
  archive_command = '/path/to/deploy/postgres/archive-wal.sh %p %f /path/to/wal-archive'

  <path-of-wal-file>  %p: the file to archive (relative to the data directory)
  <file-name>         %f: its file name, kept as is in the archive
  <archive-dir>       the WAL archive folder (must exist and be writable by the server's user)

Copies to a temporary name in the archive folder, flushes it to disk, then renames it.
An archived file of the same name is never overwritten: an identical one counts as success
(PostgreSQL may retry after a crash), a different one is an error (exit 1), so PostgreSQL
keeps the segment and retries until a person looks.
USAGE
}

fail() {
  echo "archive-wal.sh: $*" >&2
  exit 1
}

if [[ ${1:-} == --help || ${1:-} == -h ]]; then
  usage
  exit 0
fi
if (($# != 3)); then
  usage >&2
  fail "expected 3 arguments (%p %f <archive-dir>), got $#: fix archive_command in postgresql.conf."
fi

source_file=$1
name=$2
archive=$3

[[ -n $name && $name != */* && $name != .* ]] ||
  fail "the file name '$name' must be a plain file name (PostgreSQL's %f)."
[[ -d $archive ]] ||
  fail "the archive folder $archive does not exist: create it (mkdir -p $archive && chown postgres: $archive) or fix archive_command."
[[ -w $archive ]] ||
  fail "the archive folder $archive is not writable by $(id -un): chown it to the PostgreSQL server's user."
[[ -f $source_file ]] ||
  fail "the WAL file $source_file (run from $(pwd)) does not exist: archive_command must pass %p as the first argument."

target=$archive/$name
if [[ -e $target ]]; then
  if cmp -s -- "$source_file" "$target"; then
    # Already archived (PostgreSQL retries after a crash between our rename and its bookkeeping).
    exit 0
  fi
  fail "$target already exists with different content: refusing to overwrite archived WAL. Another server may be archiving into the same folder (give each cluster its own archive folder); move the file aside only after checking which one is right."
fi

# A dot name is never mistaken for a WAL file by restore_command or pg_archivecleanup.
temp=$archive/.$name.$$.tmp
trap 'rm -f -- "$temp"' EXIT
cp -- "$source_file" "$temp"
sync -- "$temp"
mv -T -- "$temp" "$target"
# The rename is durable only once the folder itself is flushed.
sync -- "$archive"
trap - EXIT
