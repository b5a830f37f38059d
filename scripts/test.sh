#!/usr/bin/env bash
# The one command that runs every test of fabgen on a fresh machine:
#   bash scripts/test.sh
# It installs what the tests need (dash, shellcheck, jq, script(1) and Graphviz's dot from
# Debian, the pinned Python oracles into .venv), then runs formatting, lints and the whole cargo
# test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '==> %s\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        log "need root to run: $*"; return 1; fi
}

# command:Debian package
missing=""
for need in dash:dash shellcheck:shellcheck jq:jq script:bsdutils dot:graphviz; do
    command -v "${need%%:*}" >/dev/null 2>&1 || missing="$missing ${need#*:}"
done
if [ -n "$missing" ]; then
    log "installing Debian packages:$missing"
    as_root apt-get update -qq
    # shellcheck disable=SC2086
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi

requirements=scripts/oracle-requirements.txt
stamp=.venv/.requirements.sha256
want=$(sha256sum "$requirements" | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    log "installing Python oracles into .venv ($requirements)"
    rm -rf .venv
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check -r "$requirements"
    echo "$want" > "$stamp"
fi
export FABGEN_ORACLE_BIN="$PWD/.venv/bin"

log "cargo fmt --check"
cargo fmt --all -- --check
log "cargo clippy"
cargo clippy --all-targets --quiet -- -D warnings
log "cargo test"
cargo test --all-targets --no-fail-fast
