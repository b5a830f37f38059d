# fabgen channel Job: creates channel $CHANNEL on every orderer that lacks it, as the orderer
# organisation's admin. Idempotent: an orderer that has the channel is left alone, and when all
# have it the Job does nothing. Orderers that lack it join with the channel's genesis block:
# made by configtxgen when no orderer has the channel yet, else fetched from one that has it
# (a new block would be a different channel).
#
# osnadmin exits 0 for every HTTP answer and prints "Status: <code>" first (fabric
# cmd/osnadmin/main.go), so the status decides: list 200 has it, 404 lacks it; join 201 joined,
# 405 "cannot join: channel already exists" (orderer/common/channelparticipation/restapi.go).
#
# Environment: CHANNEL, ORDERER_ADMINS (host:port of each admin endpoint), ORDERER_PORT (client
# port), CONFIGTX_DIR, ADMIN_TLS_DIR (ca.crt, tls.crt, tls.key), WAIT_SECONDS, RETRY_SECONDS, and
# the peer CLI's CORE_PEER_LOCALMSPID / CORE_PEER_MSPCONFIGPATH for fetching a block.
# common.sh precedes this: strict mode, log and retry_or_fail.

log_prefix="channel $CHANNEL"
block="${WORK_DIR:-/tmp}/$CHANNEL.block"

osn() {
    osnadmin channel "$@" --ca-file "$ADMIN_TLS_DIR/ca.crt" \
        --client-cert "$ADMIN_TLS_DIR/tls.crt" --client-key "$ADMIN_TLS_DIR/tls.key"
}

status_of() {
    printf '%s\n' "$1" | sed -n 's/^Status: \([0-9][0-9]*\)$/\1/p' | head -n 1
}

# The HTTP status of listing $CHANNEL on an orderer, waiting while the orderer is unreachable.
listing() {
    while ! out=$(osn list -o "$1" --channelID "$CHANNEL" 2>&1); do
        retry_or_fail "orderer $1 unreachable: $out"
    done
    status_of "$out"
}

have=""
lack=""
for orderer in $ORDERER_ADMINS; do
    status=$(listing "$orderer")
    case "$status" in
        200) have="$have $orderer" ;;
        404) lack="$lack $orderer" ;;
        *)
            log "unexpected answer from $orderer (Status: $status)" >&2
            exit 1
            ;;
    esac
done

if [ -z "$lack" ]; then
    log "every orderer has it; nothing to do"
    exit 0
fi

if [ -z "$have" ]; then
    log "no orderer has it: making the genesis block"
    configtxgen -configPath "$CONFIGTX_DIR" -profile "$CHANNEL" -channelID "$CHANNEL" -outputBlock "$block"
else
    # The first orderer that has the channel serves its genesis block on the client port.
    first=${have# }
    first=${first%% *}
    source_host=${first%:*}
    log "fetching the genesis block from $source_host"
    while ! out=$(peer channel fetch 0 "$block" -c "$CHANNEL" -o "$source_host:$ORDERER_PORT" \
        --tls --cafile "$ADMIN_TLS_DIR/ca.crt" 2>&1); do
        retry_or_fail "cannot fetch the genesis block: $out"
    done
fi

for orderer in $lack; do
    out=$(osn join -o "$orderer" --channelID "$CHANNEL" --config-block "$block" 2>&1) || {
        log "join on $orderer failed: $out" >&2
        exit 1
    }
    case "$(status_of "$out")" in
        201) log "joined $orderer" ;;
        405) log "$orderer has it already" ;;
        *)
            log "join on $orderer refused: $out" >&2
            exit 1
            ;;
    esac
done
