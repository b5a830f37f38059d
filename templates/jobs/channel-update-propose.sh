# fabgen channel update, first step (init container `propose`, as the channel creator's admin):
# makes the config update that brings channel $CHANNEL to what the spec says, or nothing when
# the channel is so already. The steps are Fabric's (docs/source/config_update.md,
# channel_update_tutorial.rst): `peer channel fetch config`, configtxlator proto_decode, the
# change in JSON, proto_encode both, compute_update, a CONFIG_UPDATE envelope (type 2).
#
# The change: configtxgen makes a block of the spec's profile (the channel as it would be made
# today), and from it the update takes exactly what the spec decides, keeping everything else
# of the live config (anchor peers, which each member's join Job sets, and the state of the
# consensus):
# - /Channel/Application and /Channel/Orderer organisations: new ones as configtxgen encodes
#   them, gone ones removed, the others kept (an ordering organisation's Endpoints follow);
# - the consenters: etcdraft's ConsensusType metadata, one added and one removed at most per
#   update (orderer/consensus/etcdraft/membership.go refuses more: "update of more than one
#   consenter at a time is not supported"; /tmp/update/more then tells `submit` to leave the
#   rest to the Job's next pod), or BFT's Orderers (consenter_mapping,
#   keeping each remaining consenter's ID: a SmartBFT node finds itself by it) and the
#   BlockValidation policy configtxgen computes for them (common/policies/bft.go), which
#   orderer/consensus/smartbft/configverifier.go requires to match the mapping;
# Capabilities stay as they are: a node whose release lacks a capability stops processing the
# channel, so they are raised by hand once every node runs the new release (Fabric's
# upgrade_to_newest_version.md), not by a Job that runs while the nodes roll.
# Values are replaced by content (`value`, `policy`): compute_update compares content and
# mod_policy, not versions (fabric common/configtx/update.go).
#
# A consenter change waits until every orderer of the creator's organisation is `active` on
# the channel (osnadmin channel list; orderer/common/types/channelinfo.go: a new orderer joined
# as a follower is `onboarding` until it has caught up), as docs/source/create_channel/
# add_orderer.md does it: join first, then change the consenters.
#
# Writes to /tmp/update: envelope.pb (the unsigned CONFIG_UPDATE envelope) and needs (one line
# per group the update changes: its path, the admin signatures its MAJORITY Admins policy asks
# (common/policies/implicitmeta.go: len/2 + 1) and the MSP IDs that count, from the live
# config), or nothing when there is nothing to do.
#
# In a consortium's creator part (SIGNED_UPDATES set) it also prints the update, base64, for
# the other organisations to sign offline.
#
# Environment: CHANNEL, WANTED (the spec's channel, in words), SIGNED_UPDATES, SIGN_SCRIPT (what the sign-<org>
# containers run, jobs/channel-update-sign.sh), ORDERERS, ORDERER_TLS_CA,
# ORDERER_ADMINS, ADMIN_TLS_DIR, CONFIGTX_DIR, WAIT_SECONDS, RETRY_SECONDS and the
# peer CLI's FABRIC_CFG_PATH, CORE_PEER_LOCALMSPID, CORE_PEER_MSPCONFIGPATH.

log_prefix="channel $CHANNEL update"
work="${WORK_DIR:-/tmp}/update"
rm -rf "$work"
mkdir -p "$work"
printf '%s\n' "$SIGN_SCRIPT" > "$work/sign.sh"
log "wanted: $WANTED"

fetched=""
while [ -z "$fetched" ]; do
    for orderer in $ORDERERS; do
        if out=$(peer channel fetch config "$work/config_block.pb" -c "$CHANNEL" -o "$orderer" \
            --tls --cafile "$ORDERER_TLS_CA" 2>&1); then
            fetched=$orderer
            break
        fi
    done
    [ -n "$fetched" ] || retry_or_fail "cannot fetch the channel config (the channel may not exist yet): $out"
done
configtxlator proto_decode --input "$work/config_block.pb" --type common.Block --output "$work/config_block.json"
jq '.data.data[0].payload.data.config' "$work/config_block.json" > "$work/config.json"

configtxgen -configPath "$CONFIGTX_DIR" -profile "$CHANNEL" -channelID "$CHANNEL" -outputBlock "$work/wanted.pb"
configtxlator proto_decode --input "$work/wanted.pb" --type common.Block --output "$work/wanted_block.json"
jq '.data.data[0].payload.data.config' "$work/wanted_block.json" > "$work/wanted.json"

jq --slurpfile want "$work/wanted.json" '
    def orgs($live; $want): $want | with_entries(.value = ($live[.key] // .value));
    $want[0] as $w
    | .channel_group.groups.Application.groups = orgs(.channel_group.groups.Application.groups // {}; $w.channel_group.groups.Application.groups // {})
    | .channel_group.groups.Orderer.groups as $had
    | .channel_group.groups.Orderer.groups = (orgs($had // {}; $w.channel_group.groups.Orderer.groups // {})
        | with_entries(if ($had[.key] != null) and ($w.channel_group.groups.Orderer.groups[.key].values.Endpoints != null)
            then .value.values.Endpoints.value = $w.channel_group.groups.Orderer.groups[.key].values.Endpoints.value
            else . end))
    | if $w.channel_group.groups.Orderer.values.Orderers != null then
        (.channel_group.groups.Orderer.values.Orderers.value.consenter_mapping // []) as $old
        | (([$old[].id] | max) // 0) as $top
        | .channel_group.groups.Orderer.values.Orderers.value.consenter_mapping = (
            reduce $w.channel_group.groups.Orderer.values.Orderers.value.consenter_mapping[] as $c ({out: [], next: $top};
                ([$old[] | select(.host == $c.host and .port == $c.port)] | first) as $was
                | if $was != null then .out += [$c + {id: $was.id}]
                  else .next += 1 | .out += [$c + {id: .next}] end)
            | .out)
        | .channel_group.groups.Orderer.policies.BlockValidation.policy = $w.channel_group.groups.Orderer.policies.BlockValidation.policy
      else
        ($w.channel_group.groups.Orderer.values.ConsensusType.value.metadata.consenters // []) as $want
        | .channel_group.groups.Orderer.values.ConsensusType.value.metadata.consenters |= (
            (. // []) as $live
            | [$live[] | select(. as $c | $want | index([$c]) | not)] as $gone
            | [$want[] | select(. as $c | $live | index([$c]) | not)] as $new
            | [$live[] | select(. != $gone[0])] + $new[:1])
      end
' "$work/config.json" > "$work/modified.json"

raft='.channel_group.groups.Orderer.values.ConsensusType.value.metadata.consenters // [] | sort'
if [ "$(jq -S -c "$raft" "$work/modified.json")" != "$(jq -S -c "$raft" "$work/wanted.json")" ]; then
    : > "$work/more"
fi

# What the update changes, by group, and whose admins count there (the live config's).
changed() { [ "$(jq -S -c "$1" "$work/config.json")" != "$(jq -S -c "$1" "$work/modified.json")" ]; }
members() { jq -r "$1 // {} | keys | join(\" \")" "$work/config.json"; }
# need GROUP "MSP..." : GROUP's MAJORITY Admins over those organisations.
need() {
    count=$(printf '%s\n' "$2" | wc -w)
    printf '%s %s %s\n' "$1" $((count / 2 + 1)) "$2" >> "$work/needs"
}
application='.channel_group.groups.Application'
orderer='.channel_group.groups.Orderer'
consenters="$orderer.values.ConsensusType.value.metadata.consenters, $orderer.values.Orderers, $orderer.policies.BlockValidation"
: > "$work/needs"
if changed "$application.groups // {} | keys"; then
    need /Channel/Application "$(members "$application.groups")"
fi
if changed "$orderer.groups // {} | keys" || changed "[$consenters]"; then
    need /Channel/Orderer "$(members "$orderer.groups")"
fi
for msp in $(members "$orderer.groups"); do
    # An organisation that stays and lists other endpoints: its own Admins.
    if jq -e --arg msp "$msp" '.channel_group.groups.Orderer.groups[$msp] != null' "$work/modified.json" >/dev/null &&
        changed "$orderer.groups[\"$msp\"].values.Endpoints"; then
        need "/Channel/Orderer/$msp" "$msp"
    fi
done

if [ ! -s "$work/needs" ]; then
    rm -f "$work/needs"
    log "the channel is as the spec says; nothing to do"
    exit 0
fi

if changed "[$consenters]"; then
    for admin in $ORDERER_ADMINS; do
        while :; do
            # osnadmin prints "Status: <code>" and then the JSON body (cmd/osnadmin/main.go).
            status=$(osnadmin channel list -o "$admin" --channelID "$CHANNEL" --ca-file "$ADMIN_TLS_DIR/ca.crt" \
                --client-cert "$ADMIN_TLS_DIR/tls.crt" --client-key "$ADMIN_TLS_DIR/tls.key" 2>/dev/null |
                sed 1d | jq -r '.status // empty' 2>/dev/null) || status=""
            [ "$status" = active ] && break
            retry_or_fail "orderer $admin is not active on the channel (${status:-unreachable}); consenters change only when every orderer is"
        done
    done
fi

configtxlator proto_encode --input "$work/config.json" --type common.Config --output "$work/original.pb"
configtxlator proto_encode --input "$work/modified.json" --type common.Config --output "$work/modified.pb"
configtxlator compute_update --channel_id "$CHANNEL" --original "$work/original.pb" \
    --updated "$work/modified.pb" --output "$work/update.pb"
configtxlator proto_decode --input "$work/update.pb" --type common.ConfigUpdate --output "$work/update.json"
jq -n --arg channel "$CHANNEL" --slurpfile update "$work/update.json" \
    '{"payload": {"header": {"channel_header": {"channel_id": $channel, "type": 2}}, "data": {"config_update": $update[0]}}}' \
    > "$work/envelope.json"
configtxlator proto_encode --input "$work/envelope.json" --type common.Envelope --output "$work/envelope.pb"
log "proposed: $(sort -u "$work/needs" | cut -d' ' -f1 | tr '\n' ' ')"
if [ -n "${SIGNED_UPDATES:-}" ]; then
    # The other organisations sign offline: the update, base64 between these lines, is what
    # `fabgen channel sign` takes (a ConfigUpdate, as compute_update wrote it).
    log "the update to sign, for $(cut -d' ' -f3- "$work/needs" | tr ' ' '\n' | sort -u | tr '\n' ' ')"
    echo "-----BEGIN FABGEN CHANNEL UPDATE $CHANNEL-----"
    base64 < "$work/update.pb"
    echo "-----END FABGEN CHANNEL UPDATE $CHANNEL-----"
fi
