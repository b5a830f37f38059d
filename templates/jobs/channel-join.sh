# fabgen channel Job: joins one organisation's peers to channel $CHANNEL, as the org's admin.
# Idempotent: a peer that lists the channel (`peer channel list`, fabric
# internal/peer/channel/list.go) is left alone. The genesis block is fetched from the orderers
# once the channel exists there (`peer channel fetch 0`, internal/peer/channel/fetch.go), then
# each remaining peer joins with it (`peer channel join -b`, internal/peer/channel/join.go).
#
# Environment: CHANNEL, PEERS (host:port of each peer), ORDERERS (host:port of each orderer's
# client endpoint), ORDERER_TLS_CA, WAIT_SECONDS, RETRY_SECONDS, and the peer CLI's
# CORE_PEER_LOCALMSPID, CORE_PEER_MSPCONFIGPATH, CORE_PEER_TLS_ENABLED, CORE_PEER_TLS_ROOTCERT_FILE.
# common.sh precedes this: strict mode, log and retry_or_fail.

log_prefix="channel $CHANNEL"
block="${WORK_DIR:-/tmp}/$CHANNEL.block"

# Fetches the genesis block from the first orderer that serves it, waiting until one does
# (the channel may not exist yet).
fetch_block() {
    while :; do
        for orderer in $ORDERERS; do
            if out=$(peer channel fetch 0 "$block" -c "$CHANNEL" -o "$orderer" \
                --tls --cafile "$ORDERER_TLS_CA" 2>&1); then
                return 0
            fi
        done
        retry_or_fail "no orderer serves the channel yet: $out"
    done
}

for peer_address in $PEERS; do
    export CORE_PEER_ADDRESS="$peer_address"
    while ! joined=$(peer channel list 2>&1); do
        retry_or_fail "peer $peer_address unreachable: $joined"
    done
    if printf '%s\n' "$joined" | grep -qxF "$CHANNEL"; then
        log "$peer_address has joined already"
        continue
    fi
    [ -s "$block" ] || fetch_block
    peer channel join -b "$block"
    log "joined $peer_address"
done
