"""Judges custody with Python's `cryptography` (PyPI), independently of fabgen: what one
organisation's `fabgen crypto --org ORG` wrote holds private keys of ORG only, and its public
card holds no key at all.

usage: custody.py DIR ORG ALL_CERTS_DIR...

- Every PEM block of every file under DIR is found: in .pem files, in the card, and base64 in
  Secret manifests' `data`.
- Each private key's public key is matched against the certificates of every organisation
  (every ALL_CERTS_DIR, one `fabgen crypto --org` output per organisation): the certificate
  it belongs to must name ORG as its subject O.
- The card (DIR/public/ORG.yaml) parses, holds no private key, and its certificates are ORG's:
  the admin and node signing certificates issued by its `cacert`, the orderers' TLS
  certificates by its `tlscacert`, each CA self-signed with subject O = ORG.
- Each node's TLS certificate (its Secret in DIR) names the host of the node's card endpoint
  among its DNS SANs.
Prints one line per problem and a summary; exits 1 on problems.
"""
import base64
import os
import re
import sys

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

out_dir, org, all_dirs = sys.argv[1], sys.argv[2], sys.argv[3:]
problems = []
PEM = re.compile(r"-----BEGIN ([A-Z ]+)-----.*?-----END \1-----", re.S)


def problem(where, what):
    problems.append(f"{where}: {what}")


def blocks(path):
    """(label, PEM text) of every PEM block in a file, looking into Secret data too."""
    text = open(path, "rb").read().decode("utf-8", "replace")
    found = [(m.group(1), m.group(0)) for m in PEM.finditer(text)]
    if path.endswith(".yaml"):
        for doc in yaml.safe_load_all(text):
            if isinstance(doc, dict) and doc.get("kind") == "Secret":
                for value in (doc.get("data") or {}).values():
                    decoded = base64.b64decode(value).decode("utf-8", "replace")
                    found += [(m.group(1), m.group(0)) for m in PEM.finditer(decoded)]
    return found


def files(root):
    for dirpath, _, names in os.walk(root):
        for name in names:
            yield os.path.join(dirpath, name)


def org_of(cert):
    return [a.value for a in cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)]


certs = {}  # public numbers -> subject O of every certificate of every organisation
for root in all_dirs:
    for path in files(root):
        for label, pem in blocks(path):
            if label == "CERTIFICATE":
                c = x509.load_pem_x509_certificate(pem.encode())
                certs.setdefault(c.public_key().public_numbers(), set()).update(org_of(c))

keys = 0
for path in files(out_dir):
    where = os.path.relpath(path, out_dir)
    for label, pem in blocks(path):
        if "PRIVATE KEY" not in label:
            continue
        keys += 1
        key = serialization.load_pem_private_key(pem.encode(), password=None)
        owners = certs.get(key.public_key().public_numbers())
        if owners is None:
            problem(where, "a private key no certificate of any organisation belongs to")
        elif owners != {org}:
            problem(where, f"a private key of {sorted(owners)}, not of {org}")

card_path = os.path.join(out_dir, "public", f"{org}.yaml")
card = yaml.safe_load(open(card_path))
card_certs = 0
if "PRIVATE KEY" in open(card_path).read():
    problem("card", "holds a private key")
if card["org"] != org or card["kind"] != "OrganizationCard":
    problem("card", f"is the card of {card['org']} ({card['kind']})")
ca = x509.load_pem_x509_certificate(card["msp"]["cacert"].encode())
tlsca = x509.load_pem_x509_certificate(card["msp"]["tlscacert"].encode())
for name, authority in (("cacert", ca), ("tlscacert", tlsca)):
    card_certs += 1
    if org_of(authority) != [org]:
        problem(f"card {name}", f"subject O is {org_of(authority)}")
    try:
        authority.verify_directly_issued_by(authority)
    except Exception as e:  # noqa: BLE001 - any failure is a problem to report
        problem(f"card {name}", f"not self-signed: {e}")


def issued(pem, issuer, where):
    global card_certs
    card_certs += 1
    c = x509.load_pem_x509_certificate(pem.encode())
    try:
        c.verify_directly_issued_by(issuer)
    except Exception as e:  # noqa: BLE001
        problem(where, f"not issued by the card's CA: {e}")
    if org_of(c) != [org]:
        problem(where, f"subject O is {org_of(c)}")


for admin in card["admins"]:
    issued(admin["cert"], ca, f"card admin {admin['name']}")
for node in card["nodes"]:
    if not re.fullmatch(r"[a-z0-9.-]+:[0-9]+", node["endpoint"]):
        problem(f"card node {node['name']}", f"endpoint {node['endpoint']!r} is not host:port")
    if node["kind"] == "orderer":
        issued(node["tlsCert"], tlsca, f"card node {node['name']} tlsCert")
        issued(node["identity"], ca, f"card node {node['name']} identity")

# Each node's TLS certificate names the host its card gives other organisations (the external
# name across clusters): a gRPC client checks the name it dials, with no override between nodes.
sans_checked = 0
for node in card["nodes"]:
    host = node["endpoint"].rsplit(":", 1)[0]
    path = os.path.join(out_dir, f"secret-{node['name']}-tls.yaml")
    if not os.path.exists(path):
        problem(f"card node {node['name']}", "no TLS Secret of it here")
        continue
    doc = yaml.safe_load(open(path))
    leaf = x509.load_pem_x509_certificate(base64.b64decode(doc["data"]["tls.crt"]))
    names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)
    sans_checked += 1
    if host not in names:
        problem(f"card node {node['name']}", f"endpoint host {host} is not in its TLS certificate's SANs {names}")

for p in problems:
    print(p)
print(f"{org}: {keys} private keys checked; card: {card_certs} certificates; {sans_checked} endpoints in SANs; {len(problems)} problems")
sys.exit(1 if problems else 0)
