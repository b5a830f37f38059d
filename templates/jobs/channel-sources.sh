# fabgen channel Job of one of several ordering organisations of channel $CHANNEL; the template
# appends channel-create.sh to this. channel-create.sh joins the organisation's own orderers
# (its admin endpoints trust this organisation's client certificates only), taking the genesis
# block from an own orderer that has the channel, else from `configtxgen`. With several ordering
# organisations another one may have created the channel already, so the function below takes
# configtxgen's place: the genesis block is the one an orderer of another organisation serves
# (BLOCK_SOURCES), checked before any orderer joins with it. Only the creator (CREATOR=true)
# makes a new block, and only when no other organisation's orderer serves the channel; the
# others wait for one, bounded by WAIT_SECONDS.
#
# The check (fabric create_channel_participation.md: members "inspect" the shared genesis
# block): configtxlator decodes it (common.Block), and it must be channel $CHANNEL, name every
# own orderer (OWN_CONSENTERS, hosts) among its consenters (Raft metadata `consenters`, BFT
# `Orderers` value `consenter_mapping`; fabric common/channelconfig), and have exactly the
# ordering (ORDERING) and member (MEMBERS) organisations the spec names, by MSP ID.
#
# Environment: BLOCK_SOURCES (host:port=TLS CA file of each other organisation's orderer),
# CREATOR, OWN_CONSENTERS, ORDERING, MEMBERS, besides channel-create.sh's.

# The first genesis block an orderer of another organisation serves, into $1.
fetch_from_sources() {
    for source in $BLOCK_SOURCES; do
        if peer channel fetch 0 "$1" -c "$CHANNEL" -o "${source%%=*}" --tls --cafile "${source#*=}" >/dev/null 2>&1
        then
            log "genesis block served by ${source%%=*}"
            return 0
        fi
    done
    return 1
}

# The sorted words of $1, one a line.
sorted() {
    printf '%s\n' "$1" | tr ' ' '\n' | sed '/^$/d' | sort
}

# The lines of $1 as one line.
words() {
    printf '%s\n' "$1" | tr '\n' ' ' | sed 's/ $//'
}

# Fails unless block $1 is the channel the spec describes.
check_block() {
    decoded="${WORK_DIR:-/tmp}/$CHANNEL-block.json"
    configtxlator proto_decode --input "$1" --type common.Block --output "$decoded"
    config='.data.data[0].payload.data.config.channel_group'
    id=$(jq -r '.data.data[0].payload.header.channel_header.channel_id' "$decoded")
    consenters=$(jq -r "$config.groups.Orderer.values | (.ConsensusType.value.metadata.consenters // []) + \
        (.Orderers.value.consenter_mapping // []) | .[].host" "$decoded")
    served_ordering=$(jq -r "$config.groups.Orderer.groups | keys[]" "$decoded")
    served_members=$(jq -r "$config.groups.Application.groups | keys[]" "$decoded")
    problem=""
    [ "$id" = "$CHANNEL" ] || problem="it is channel $id"
    for own in $OWN_CONSENTERS; do
        printf '%s\n' "$consenters" | grep -qx "$own" || problem="${problem:+$problem; }$own is no consenter"
    done
    [ "$(sorted "$served_ordering")" = "$(sorted "$ORDERING")" ] ||
        problem="${problem:+$problem; }ordering organisations $(words "$served_ordering")"
    [ "$(sorted "$served_members")" = "$(sorted "$MEMBERS")" ] ||
        problem="${problem:+$problem; }members $(words "$served_members")"
    if [ -n "$problem" ]; then
        log "refusing the genesis block: $problem (the spec says ordering $ORDERING, members $MEMBERS)" >&2
        exit 1
    fi
    log "genesis block checked: consenters include $OWN_CONSENTERS; ordering $ORDERING; members $MEMBERS"
}

configtxgen() {
    out="" previous=""
    for arg in "$@"; do
        [ "$previous" != "-outputBlock" ] || out=$arg
        previous=$arg
    done
    until fetch_from_sources "$out"; do
        if [ "$CREATOR" = true ]; then
            log "no other ordering organisation serves it: making the genesis block"
            command configtxgen "$@"
            return
        fi
        retry_or_fail "no orderer of another ordering organisation serves the channel yet"
    done
    check_block "$out"
}
