#!/bin/sh
# Shared by fabgen's Job scripts (templates/jobs/), which the Job templates append to this:
# strict mode, logging (each script sets log_prefix) and a bounded retry loop (no blind sleeps).
# WAIT_SECONDS bounds every wait of a run; RETRY_SECONDS spaces the tries.
set -eu

wait_seconds=${WAIT_SECONDS:-600}
retry_seconds=${RETRY_SECONDS:-5}
deadline=$(($(date +%s) + wait_seconds))

log() { printf '%s: %s\n' "$log_prefix" "$*"; }

# Sleeps before the next try, or fails once the deadline has passed.
retry_or_fail() {
    if [ "$(date +%s)" -ge "$deadline" ]; then
        log "gave up after ${wait_seconds}s: $1" >&2
        exit 1
    fi
    sleep "$retry_seconds"
}
