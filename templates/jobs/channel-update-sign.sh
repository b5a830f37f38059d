# fabgen channel update, second step (init container `sign-<org>`, one per organisation, each
# with its own admin MSP and nobody else's): signs the update `propose` made when one of the
# groups it changes counts this organisation's admin (/tmp/update/needs), with
# `peer channel signconfigtx -f`, which appends the admin's ConfigSignature to the envelope in
# place (fabric internal/peer/channel/signconfigtx.go). Nothing to sign, nothing done.
#
# Environment: CHANNEL and the peer CLI's FABRIC_CFG_PATH, CORE_PEER_LOCALMSPID,
# CORE_PEER_MSPCONFIGPATH.

log_prefix="channel $CHANNEL update, $CORE_PEER_LOCALMSPID"
work="${WORK_DIR:-/tmp}/update"
if [ ! -f "$work/needs" ]; then
    log "nothing to sign"
    exit 0
fi
if ! cut -d' ' -f3- "$work/needs" | tr ' ' '\n' | grep -qxF "$CORE_PEER_LOCALMSPID"; then
    log "no group the update changes counts this organisation's admin; not signing"
    exit 0
fi
peer channel signconfigtx -f "$work/envelope.pb"
log "signed"
