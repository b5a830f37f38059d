# fabgen channel update, last step (container `submit`, as the channel creator's admin): checks
# that the signatures on the update satisfy each changed group's MAJORITY Admins
# (/tmp/update/needs, written by `propose`), naming the organisations still missing, and sends
# it with `peer channel update -f`, which adds this admin's own signature (fabric
# internal/peer/channel/update.go, create.go `sanityCheckAndSignConfigTx`). The signers are read
# from the decoded envelope: configtxlator decodes each ConfigSignature's signature_header and
# its creator, a SerializedIdentity (fabric-config protolator/protoext/commonext/configtx.go,
# common.go). Nothing proposed, nothing sent.
#
# Environment: CHANNEL, ORDERERS, ORDERER_TLS_CA and the peer CLI's
# FABRIC_CFG_PATH, CORE_PEER_LOCALMSPID, CORE_PEER_MSPCONFIGPATH.

log_prefix="channel $CHANNEL update"
work="${WORK_DIR:-/tmp}/update"
if [ ! -f "$work/needs" ]; then
    log "nothing to submit"
    exit 0
fi

configtxlator proto_decode --input "$work/envelope.pb" --type common.Envelope --output "$work/signed.json"
signed=$({
    jq -r '.payload.data.signatures[]?.signature_header.creator.mspid' "$work/signed.json"
    echo "$CORE_PEER_LOCALMSPID"
} | sort -u)
short=""
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
        short="$short; $group Admins needs $wanted of $msps, has $have; missing:$missing"
    fi
done < "$work/needs"
if [ -n "$short" ]; then
    log "not enough admin signatures${short}" >&2
    exit 1
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
log "updated: signed by $(printf '%s\n' "$signed" | tr '\n' ' ')"
if [ -f "$work/more" ]; then
    # Raft takes one consenter change per update: the Job's next pod proposes the next one.
    log "more consenters to change, one per update: the Job's next pod goes on" >&2
    exit 1
fi
