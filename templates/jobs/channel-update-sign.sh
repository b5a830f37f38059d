#!/bin/sh
# fabgen channel update: this organisation's admin signs the update `propose` made, if a group
# it changes counts this admin (/tmp/update/needs): `peer channel signconfigtx -f` appends its
# ConfigSignature in place (fabric internal/peer/channel/signconfigtx.go). Self-contained and
# short: a channel has one such container per organisation.
set -eu
work="${WORK_DIR:-/tmp}/update"
say() { printf 'channel %s update, %s: %s\n' "$CHANNEL" "$CORE_PEER_LOCALMSPID" "$1"; }
if [ ! -f "$work/needs" ]; then
    say "nothing to sign"
elif ! cut -d' ' -f3- "$work/needs" | tr ' ' '\n' | grep -qxF "$CORE_PEER_LOCALMSPID"; then
    say "no group the update changes counts this organisation's admin; not signing"
else
    peer channel signconfigtx -f "$work/envelope.pb"
    say signed
fi
