# fabgen lifecycle Job: one org's part in defining chaincode $CHAINCODE on channel $CHANNEL,
# as the org's admin, with `peer lifecycle chaincode` (fabric internal/peer/lifecycle/chaincode):
#   1. install PACKAGE_FILE on each of PEERS that does not list PACKAGE_ID (`queryinstalled -O
#      json`: installed_chaincodes[].package_id); members that do not run it skip this;
#   2. approve the definition for the org (`approveformyorg`, with `--package-id` when the org
#      runs it), unless `queryapproved` shows this sequence approved with this package;
#   3. COMMIT=true (one org per chaincode): wait until `checkcommitreadiness -O json` shows every
#      member's approval, then `commit`, endorsed by a peer of every member (`--peerAddresses`
#      with `--tlsRootCertFiles` in the same order), unless `querycommitted` shows the sequence;
#   4. COMMIT=true and INIT_REQUIRED=true: the init invocation (`peer chaincode invoke --isInit`,
#      internal/peer/chaincode/invoke.go), endorsed by a peer of every org that runs it.
# Re-running changes nothing: every step looks first, and the refusals Fabric gives for work
# already done (core/chaincode/lifecycle/lifecycle.go, core/chaincode/chaincode_support.go)
# count as done. Each wait is bounded (common.sh).
#
# Needs the peer CLI, jq and a POSIX sh with sed, grep and date, as fabric-tools ships them
# (fabric images/tools/Dockerfile: alpine with bash, git, jq).
#
# Environment: CHANNEL, CHAINCODE, VERSION, SEQUENCE, INIT_REQUIRED, and when set
# SIGNATURE_POLICY or CHANNEL_CONFIG_POLICY, COLLECTIONS_CONFIG (the JSON), PACKAGE_ID and
# PACKAGE_FILE; PEERS, ORDERERS, ORDERER_TLS_CA and the peer CLI's CORE_PEER_*; for the
# committing org COMMIT, ENDORSERS and INIT_ENDORSERS (`host:port=tls-ca-file` each) and
# INIT_INPUT (`-c` of the init invocation).

log_prefix="chaincode $CHAINCODE on $CHANNEL"

work="${WORK_DIR:-/tmp}/lifecycle"
mkdir -p "$work"
if [ -n "${COLLECTIONS_CONFIG:-}" ]; then
    printf '%s\n' "$COLLECTIONS_CONFIG" > "$work/collections.json"
fi

# The orderer transactions go to; the next one after a failure.
orderer=${ORDERERS%% *}
next_orderer() {
    rest=" $ORDERERS "
    rest=${rest#* "$orderer" }
    orderer=${rest%% *}
    [ -n "$orderer" ] || orderer=${ORDERERS%% *}
}

# `peer lifecycle chaincode $1` with the definition's flags, then the other arguments
# (approveformyorg, checkcommitreadiness and commit take the same definition flags).
definition() {
    sub=$1
    shift
    set -- "$@" -C "$CHANNEL" -n "$CHAINCODE" -v "$VERSION" --sequence "$SEQUENCE"
    if [ "$INIT_REQUIRED" = true ]; then set -- "$@" --init-required; fi
    if [ -n "${SIGNATURE_POLICY:-}" ]; then set -- "$@" --signature-policy "$SIGNATURE_POLICY"; fi
    if [ -n "${CHANNEL_CONFIG_POLICY:-}" ]; then set -- "$@" --channel-config-policy "$CHANNEL_CONFIG_POLICY"; fi
    if [ -n "${COLLECTIONS_CONFIG:-}" ]; then set -- "$@" --collections-config "$work/collections.json"; fi
    peer lifecycle chaincode "$sub" "$@"
}

# 1. Install on every peer of the org that lacks the package.
if [ -n "${PACKAGE_ID:-}" ]; then
    for peer_address in $PEERS; do
        export CORE_PEER_ADDRESS="$peer_address"
        while ! installed=$(peer lifecycle chaincode queryinstalled -O json 2> "$work/stderr"); do
            retry_or_fail "peer $peer_address unreachable: $(cat "$work/stderr")"
        done
        if printf '%s\n' "$installed" | jq -e --arg id "$PACKAGE_ID" \
            '[.installed_chaincodes[]? | select(.package_id == $id)] | length > 0' > /dev/null; then
            log "$peer_address has $PACKAGE_ID already"
            continue
        fi
        while ! out=$(peer lifecycle chaincode install "$PACKAGE_FILE" 2>&1); do
            case "$out" in
                *"chaincode already successfully installed"*) break ;;
            esac
            retry_or_fail "install on $peer_address failed: $out"
        done
        log "installed $PACKAGE_ID on $peer_address"
    done
fi

# The org's first peer answers the queries and endorses the approval; it must have joined.
export CORE_PEER_ADDRESS="${PEERS%% *}"
until joined=$(peer channel list 2>&1) && printf '%s\n' "$joined" | grep -qxF "$CHANNEL"; do
    retry_or_fail "$CORE_PEER_ADDRESS has not joined the channel yet: $joined"
done

# The committed sequence: 0 while the chaincode is not defined (querycommitted answers 404
# "namespace <name> is not defined").
committed_sequence() {
    if out=$(peer lifecycle chaincode querycommitted -C "$CHANNEL" -n "$CHAINCODE" -O json 2> "$work/stderr"); then
        printf '%s\n' "$out" | jq -r '.sequence // 0'
    elif grep -qF "namespace $CHAINCODE is not defined" "$work/stderr"; then
        echo 0
    else
        return 1
    fi
}
while ! committed=$(committed_sequence); do
    retry_or_fail "cannot query the committed definition: $(cat "$work/stderr")"
done
if [ "$committed" -gt "$SEQUENCE" ]; then
    log "the channel has sequence $committed committed, later than this definition's $SEQUENCE; set the chaincode's sequence to $committed (unchanged) or $((committed + 1)) (changed) and render again" >&2
    exit 1
fi

# 2. Approve for the org.
approved() {
    out=$(peer lifecycle chaincode queryapproved -C "$CHANNEL" -n "$CHAINCODE" --sequence "$SEQUENCE" -O json 2> /dev/null) || return 1
    printf '%s\n' "$out" | jq -e --arg version "$VERSION" --arg id "${PACKAGE_ID:-}" \
        '.version == $version and (.source.Type.LocalPackage.package_id // "") == $id' > /dev/null
}
if approved; then
    log "sequence $SEQUENCE is approved for $CORE_PEER_LOCALMSPID already"
else
    if [ -n "${PACKAGE_ID:-}" ]; then set -- --package-id "$PACKAGE_ID"; else set --; fi
    while ! out=$(definition approveformyorg "$@" -o "$orderer" --tls --cafile "$ORDERER_TLS_CA" 2>&1); do
        case "$out" in
            *"attempted to redefine uncommitted sequence ($SEQUENCE) for namespace $CHAINCODE with unchanged content"*) break ;;
            *"with different parameters"*)
                log "the channel has sequence $SEQUENCE committed with another definition; give the changed definition sequence $((SEQUENCE + 1)): $out" >&2
                exit 1
                ;;
            *"attempted to redefine the current committed sequence ($SEQUENCE) for namespace $CHAINCODE"*) break ;;
        esac
        next_orderer
        retry_or_fail "approval failed: $out"
    done
    log "approved sequence $SEQUENCE for $CORE_PEER_LOCALMSPID"
fi

[ "${COMMIT:-}" = true ] || exit 0

# 3. Commit, once every member has approved.
if [ "$committed" -eq "$SEQUENCE" ]; then
    log "sequence $SEQUENCE is committed already"
else
    until readiness=$(definition checkcommitreadiness -O json 2> "$work/stderr") &&
        printf '%s\n' "$readiness" | jq -e '.approvals | length > 0 and all(.[]; .)' > /dev/null; do
        waiting=$(printf '%s\n' "${readiness:-}" | jq -r '[.approvals // {} | to_entries[] | select(.value | not) | .key] | join(", ")' 2> /dev/null || true)
        retry_or_fail "waiting for approvals of ${waiting:-every member}: $(cat "$work/stderr")"
    done
    set --
    for endorser in $ENDORSERS; do
        set -- "$@" --peerAddresses "${endorser%%=*}" --tlsRootCertFiles "${endorser#*=}"
    done
    while ! out=$(definition commit "$@" -o "$orderer" --tls --cafile "$ORDERER_TLS_CA" 2>&1); do
        case "$out" in
            *"requested sequence is $SEQUENCE, but new definition must be sequence $((SEQUENCE + 1))"*) break ;;
        esac
        next_orderer
        retry_or_fail "commit failed: $out"
    done
    log "committed sequence $SEQUENCE"
fi

# 4. The init invocation, once per version (the peer records the initialized version).
if [ "$INIT_REQUIRED" = true ]; then
    set --
    for endorser in $INIT_ENDORSERS; do
        set -- "$@" --peerAddresses "${endorser%%=*}" --tlsRootCertFiles "${endorser#*=}"
    done
    while ! out=$(peer chaincode invoke -C "$CHANNEL" -n "$CHAINCODE" --isInit -c "$INIT_INPUT" "$@" \
        --waitForEvent -o "$orderer" --tls --cafile "$ORDERER_TLS_CA" 2>&1); do
        case "$out" in
            *"chaincode '$CHAINCODE' is already initialized but called as init"*)
                log "initialized already"
                exit 0
                ;;
        esac
        next_orderer
        retry_or_fail "the init invocation failed (the chaincode may still be starting): $out"
    done
    log "initialized version $VERSION"
fi
