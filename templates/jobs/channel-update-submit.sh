# fabgen channel update, last step (container `submit`, as the channel creator's admin): checks
# that the signatures on the update satisfy each changed group's MAJORITY Admins
# (/tmp/update/needs, written by `propose`), naming the organisations still missing, and sends
# it with `peer channel update -f`, which adds this admin's own signature (fabric
# internal/peer/channel/update.go, create.go `sanityCheckAndSignConfigTx`). The signers are read
# from the decoded envelope: configtxlator decodes each ConfigSignature's signature_header and
# its creator, a SerializedIdentity (fabric-config protolator/protoext/commonext/configtx.go,
# common.go). Nothing proposed, nothing sent.
#
# In a consortium's creator part the signed update comes from the others instead: SIGNED_DIR
# holds ConfigMap SIGNED_UPDATES, and this waits (WAIT_SECONDS, RETRY_SECONDS) until its
# <channel>.tx carries the update proposed now with enough signatures, naming who is missing.
#
# Environment: CHANNEL, ORDERERS, ORDERER_TLS_CA, SIGNED_UPDATES, SIGNED_DIR, WAIT_SECONDS,
# RETRY_SECONDS and the peer CLI's FABRIC_CFG_PATH, CORE_PEER_LOCALMSPID,
# CORE_PEER_MSPCONFIGPATH.

log_prefix="channel $CHANNEL update"
work="${WORK_DIR:-/tmp}/update"
if [ ! -f "$work/needs" ]; then
    log "nothing to submit"
    exit 0
fi

# The organisations each `needs` line still misses in envelope $1 (with this admin, whose
# signature `peer channel update` adds), as "; <group> Admins needs ...", or nothing.
short_of() {
    configtxlator proto_decode --input "$1" --type common.Envelope --output "$work/signed.json"
    signed=$({
        jq -r '.payload.data.signatures[]?.signature_header.creator.mspid' "$work/signed.json"
        echo "$CORE_PEER_LOCALMSPID"
    } | sort -u)
    while read -r group wanted msps; do
        have=0
        missing=""
        for msp in $msps; do
            if printf '%s\n' "$signed" | grep -qxF "$msp"; then
                have=$((have + 1))
            else
                missing="$missing $msp"
            fi
        done
        if [ "$have" -lt "$wanted" ]; then
            printf '; %s Admins needs %s of %s, has %s; missing:%s' "$group" "$wanted" "$msps" "$have" "$missing"
        fi
    done < "$work/needs"
}

if [ -n "${SIGNED_UPDATES:-}" ]; then
    # A consortium: the others signed offline, and the operator put the signed envelope in
    # ConfigMap $SIGNED_UPDATES as $CHANNEL.tx. It must carry the update proposed now (the
    # channel may have changed since it was signed); the signatures are over its own bytes.
    while :; do
        signed_tx="$SIGNED_DIR/$CHANNEL.tx"
        if [ ! -f "$signed_tx" ]; then
            retry_or_fail "waiting for $CHANNEL.tx in ConfigMap $SIGNED_UPDATES: the update signed by$(cut -d' ' -f3- "$work/needs" | tr ' ' '\n' | sort -u | grep -vxF "$CORE_PEER_LOCALMSPID" | sed 's/^/ /' | tr -d '\n') (see the propose log)"
            continue
        fi
        configtxlator proto_decode --input "$signed_tx" --type common.Envelope --output "$work/committed.json"
        if [ "$(jq -S -c .payload.data.config_update "$work/committed.json")" != "$(jq -S -c . "$work/update.json")" ]; then
            retry_or_fail "$CHANNEL.tx in ConfigMap $SIGNED_UPDATES is not the update the channel needs now (it changed since): sign the one in this pod's propose log"
            continue
        fi
        short=$(short_of "$signed_tx")
        [ -z "$short" ] && break
        retry_or_fail "not enough admin signatures on $CHANNEL.tx${short}"
    done
    cp "$signed_tx" "$work/envelope.pb"
else
    short=$(short_of "$work/envelope.pb")
    if [ -n "$short" ]; then
        log "not enough admin signatures${short}" >&2
        exit 1
    fi
fi

# One try on each orderer. A refused update (another change came first, so the versions it read
# are stale) fails the pod: the Job starts a new one (restartPolicy Never), which proposes
# again from the channel as it is then.
sent=""
for orderer in $ORDERERS; do
    if out=$(peer channel update -f "$work/envelope.pb" -c "$CHANNEL" -o "$orderer" \
        --tls --cafile "$ORDERER_TLS_CA" 2>&1); then
        sent=$orderer
        break
    fi
done
if [ -z "$sent" ]; then
    log "the update was not accepted: $out" >&2
    exit 1
fi
log "updated"
if [ -f "$work/more" ]; then
    # Raft takes one consenter change per update: the Job's next pod proposes the next one.
    log "more consenters to change, one per update: the Job's next pod goes on" >&2
    exit 1
fi
