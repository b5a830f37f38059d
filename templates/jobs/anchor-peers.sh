# fabgen channel Job, after the joins: sets the org's anchor peers on the channel, signed by the
# org's admin (the org group's values are modified under its Admins policy). Idempotent: when
# the channel config already names exactly ANCHOR_PEERS, nothing is sent. The steps are the
# config update of fabric-samples test-network scripts/setAnchorPeer.sh and configUpdate.sh:
# `peer channel fetch config`, configtxlator proto_decode / proto_encode / compute_update
# (fabric cmd/configtxlator/main.go flags; `--channel_id` with an underscore), an envelope of
# type 2 (CONFIG_UPDATE), `peer channel update -f`.
#
# Environment: ANCHOR_PEERS (host:port of each anchor peer), with CHANNEL, ORDERERS,
# ORDERER_TLS_CA and the peer CLI's CORE_PEER_* as for the joins.
msp=$CORE_PEER_LOCALMSPID
work="${WORK_DIR:-/tmp}/anchors"
mkdir -p "$work"

fetched=""
while [ -z "$fetched" ]; do
    for orderer in $ORDERERS; do
        if out=$(peer channel fetch config "$work/config_block.pb" -c "$CHANNEL" -o "$orderer" \
            --tls --cafile "$ORDERER_TLS_CA" 2>&1); then
            fetched=$orderer
            break
        fi
    done
    [ -n "$fetched" ] || retry_or_fail "cannot fetch the channel config: $out"
done

configtxlator proto_decode --input "$work/config_block.pb" --type common.Block --output "$work/config_block.json"
jq '.data.data[0].payload.data.config' "$work/config_block.json" > "$work/config.json"

wanted=$(for anchor in $ANCHOR_PEERS; do
    printf '{"host": "%s", "port": %s}\n' "${anchor%:*}" "${anchor##*:}"
done | jq -s -c .)
current=$(jq -c --arg msp "$msp" \
    '.channel_group.groups.Application.groups[$msp].values.AnchorPeers.value.anchor_peers // []' "$work/config.json")
if [ "$current" = "$wanted" ]; then
    log "anchor peers of $msp are set already"
    exit 0
fi

jq --arg msp "$msp" --argjson anchors "$wanted" \
    '.channel_group.groups.Application.groups[$msp].values.AnchorPeers = {"mod_policy": "Admins", "value": {"anchor_peers": $anchors}, "version": "0"}' \
    "$work/config.json" > "$work/modified.json"
configtxlator proto_encode --input "$work/config.json" --type common.Config --output "$work/original.pb"
configtxlator proto_encode --input "$work/modified.json" --type common.Config --output "$work/modified.pb"
configtxlator compute_update --channel_id "$CHANNEL" --original "$work/original.pb" \
    --updated "$work/modified.pb" --output "$work/update.pb"
configtxlator proto_decode --input "$work/update.pb" --type common.ConfigUpdate --output "$work/update.json"
jq -n --arg channel "$CHANNEL" --slurpfile update "$work/update.json" \
    '{"payload": {"header": {"channel_header": {"channel_id": $channel, "type": 2}}, "data": {"config_update": $update[0]}}}' \
    > "$work/envelope.json"
configtxlator proto_encode --input "$work/envelope.json" --type common.Envelope --output "$work/envelope.pb"
peer channel update -f "$work/envelope.pb" -c "$CHANNEL" -o "$fetched" --tls --cafile "$ORDERER_TLS_CA"
log "anchor peers of $msp set: $ANCHOR_PEERS"
