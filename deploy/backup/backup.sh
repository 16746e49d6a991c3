#!/bin/sh
# The nightly PostgreSQL backup of cnk-events, one script for every place it runs: docker
# compose's `backup` service (--nightly), the postgres-backup CronJob in Kubernetes, and the
# test that restores what it wrote (tests/deploy/test_backup.py).
#
# One run dumps the whole database (every service's schema, in one consistent snapshot) with
# `pg_dump --format=custom` into $BACKUP_DIR/<database>-<UTC time>.dump, then deletes the dumps
# older than $BACKUP_KEEP_DAYS days. A failed dump leaves no file behind and deletes nothing.
# The connection is libpq's own: PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE.
#
#   backup.sh            one backup now
#   backup.sh --nightly  one backup a day at $BACKUP_HOUR o'clock (local time, TZ), forever
set -eu

BACKUP_DIR=${BACKUP_DIR:-/backups}
BACKUP_KEEP_DAYS=${BACKUP_KEEP_DAYS:-14}
BACKUP_HOUR=${BACKUP_HOUR:-2}

fail() {
    echo "backup: $*" >&2
    exit 2
}

case $BACKUP_KEEP_DAYS in
    '' | *[!0-9]* | 0) fail "BACKUP_KEEP_DAYS must be a whole number of days, 1 or more" ;;
esac
case $BACKUP_HOUR in
    [0-9] | 1[0-9] | 2[0-3]) ;;
    *) fail "BACKUP_HOUR must be an hour, 0 to 23" ;;
esac

seconds_until_backup_hour() {
    set -- $(date '+%H %M %S')
    # ${1#0}: "08" is no number to $(( )) in every shell.
    wait=$(((BACKUP_HOUR - ${1#0}) * 3600 - ${2#0} * 60 - ${3#0}))
    [ "$wait" -gt 0 ] || wait=$((wait + 86400))
    echo "$wait"
}

if [ "${1:-}" = --nightly ]; then
    while :; do
        wait=$(seconds_until_backup_hour)
        echo "backup: next one at $BACKUP_HOUR:00 ${TZ:-UTC}, in $wait s"
        sleep "$wait"
        # Each night in a process of its own: a failed night is logged, and the next one
        # is tried all the same.
        sh "$0" || echo "backup: FAILED, exit status $?" >&2
    done
fi

# Dumps hold the attendees' personal data: readable by their owner alone.
umask 077
mkdir -p "$BACKUP_DIR"
dump="$BACKUP_DIR/${PGDATABASE:-cnk}-$(date -u +%Y%m%dT%H%M%SZ).dump"
# Under another name until complete: a dump cut short is never taken for a backup.
if ! pg_dump --format=custom --file="$dump.partial"; then
    rm -f "$dump.partial"
    fail "pg_dump failed; no dump written, none deleted"
fi
mv "$dump.partial" "$dump"
echo "backup: wrote $dump ($(wc -c <"$dump") bytes)"

# Only after a good dump, so a run of failures never empties the folder.
find "$BACKUP_DIR" -maxdepth 1 -type f -name '*.dump*' -mmin +$((BACKUP_KEEP_DAYS * 1440)) \
    -exec rm -f {} + -exec echo "backup: deleted" {} +
