"""Judges a channel configuration update envelope with Python's `cryptography` (PyPI) and a
protobuf wire-format reader of its own, independently of fabgen and its protobuf crate.

usage: config_signatures.py ENVELOPE UPDATE CARDS_DIR

ENVELOPE is `fabgen channel envelope` output, UPDATE the ConfigUpdate it was made from, CARDS_DIR
the organisations' public cards. Checks what Fabric's configtx validation relies on
(fabric-protos common/common.proto and common/configtx.proto field numbers; fabric
common/configtx/validator.go verifies each ConfigSignature over signature_header || config_update;
bccsp/sw/ecdsa.go wants low-S; common/crypto/random.go makes 24-byte nonces):
the envelope is an Envelope whose Payload has a CONFIG_UPDATE ChannelHeader for the update's
channel and a ConfigUpdateEnvelope carrying the update's bytes unchanged; every signature's
creator is a SerializedIdentity whose certificate was issued by its organisation's CA (from the
card) and carries the admin OU; every signature verifies and is low-S. Prints one JSON line:
{"channel": ..., "signers": [mspid, ...], "problems": [...]}.
"""
import glob
import json
import sys

import yaml
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID

P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def varint(data, at):
    value, shift = 0, 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, at
        shift += 7


def fields(data):
    """(field number, wire type, value) of every field: ints for varints, bytes for
    length-delimited fields; other wire types are refused (none of these messages has any)."""
    out, at = [], 0
    while at < len(data):
        key, at = varint(data, at)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, at = varint(data, at)
        elif wire == 2:
            length, at = varint(data, at)
            value = bytes(data[at:at + length])
            if len(value) != length:
                raise ValueError("truncated field")
            at += length
        else:
            raise ValueError(f"unexpected wire type {wire}")
        out.append((number, wire, value))
    return out


def one(data, number, default=b""):
    found = [v for n, _, v in fields(data) if n == number]
    if len(found) > 1:
        raise ValueError(f"field {number} repeated")
    return found[0] if found else default


def many(data, number):
    return [v for n, _, v in fields(data) if n == number]


envelope_path, update_path, cards_dir = sys.argv[1:4]
envelope = open(envelope_path, "rb").read()
update = open(update_path, "rb").read()
problems = []
cas = {}
for path in glob.glob(f"{cards_dir}/*.yaml"):
    card = yaml.safe_load(open(path))
    cas[card["mspId"]] = x509.load_pem_x509_certificate(card["msp"]["cacert"].encode())

payload = one(envelope, 1)                      # Envelope.payload
header = one(payload, 1)                        # Payload.header
channel_header = one(header, 1)                 # Header.channel_header
header_type = one(channel_header, 1, 0)         # ChannelHeader.type
channel = one(channel_header, 4).decode()       # ChannelHeader.channel_id
if header_type != 2:
    problems.append(f"channel header type {header_type}, not CONFIG_UPDATE (2)")
config_update_envelope = one(payload, 2)        # Payload.data
config_update = one(config_update_envelope, 1)  # ConfigUpdateEnvelope.config_update
if config_update != update:
    problems.append("the envelope's config_update is not the update's bytes")
if one(update, 1).decode() != channel:          # ConfigUpdate.channel_id
    problems.append(f"the update is for {one(update, 1)!r}, the header for {channel!r}")

signers = []
for signature in many(config_update_envelope, 2):   # ConfigUpdateEnvelope.signatures
    signature_header = one(signature, 1)            # ConfigSignature.signature_header
    der = one(signature, 2)                         # ConfigSignature.signature
    creator = one(signature_header, 1)              # SignatureHeader.creator
    nonce = one(signature_header, 2)                # SignatureHeader.nonce
    mspid = one(creator, 1).decode()                # SerializedIdentity.mspid
    cert = x509.load_pem_x509_certificate(one(creator, 2))  # SerializedIdentity.id_bytes
    signers.append(mspid)
    if len(nonce) != 24:
        problems.append(f"{mspid}: nonce of {len(nonce)} bytes")
    ca = cas.get(mspid)
    if ca is None:
        problems.append(f"{mspid}: no card")
        continue
    try:
        ca.public_key().verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(cert.signature_hash_algorithm))
    except InvalidSignature:
        problems.append(f"{mspid}: the signer's certificate is not issued by its CA")
    ous = [a.value for a in cert.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)]
    if "admin" not in ous:
        problems.append(f"{mspid}: the signer is no admin (OUs {ous})")
    try:
        cert.public_key().verify(der, signature_header + config_update, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        problems.append(f"{mspid}: the signature does not verify")
    _, s = decode_dss_signature(der)
    if s > P256_N // 2:
        problems.append(f"{mspid}: high-S signature")

print(json.dumps({"channel": channel, "signers": signers, "problems": problems}))
