"""Judges `fabgen crypto` output with Python's `cryptography` (PyPI), independently of fabgen.

usage: crypto.py SECRETS_DIR RENDERED_DIR

Checks what a Fabric peer, orderer and CA rely on (fabric msp/mspimplsetup.go, bccsp/sw):
every certificate chains to the CA that its Secret ships; CA certificates are CAs with a
Subject Key Identifier; keys are PKCS#8 ECDSA P-256 and belong to their certificates; MSP
signing certificates carry the NodeOU their role needs and config.yaml names cacerts/cacert.pem;
every TLS certificate of a Service carries the Service's names and server/client usages; each
org's Secrets agree on its CAs. Prints one line per problem and a summary; exits 1 on problems.
"""
import base64
import datetime
import os
import sys

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

secrets_dir, rendered_dir = sys.argv[1], sys.argv[2]
problems = []
counts = {"secrets": 0, "certificates": 0, "chains": 0}


def problem(where, what):
    problems.append(f"{where}: {what}")


# Order of the P-256 group; Fabric signs with s <= n/2 only (bccsp/sw/ecdsa.go).
P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def cert(pem, where):
    counts["certificates"] += 1
    c = x509.load_pem_x509_certificate(pem)
    _, s = decode_dss_signature(c.signature)
    if s > P256_N // 2:
        problem(where, "certificate signature is not low-S")
    return c


def check_ca(ca, where):
    bc = ca.extensions.get_extension_for_class(x509.BasicConstraints).value
    if not bc.ca:
        problem(where, "CA certificate lacks the CA flag")
    try:
        ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    except x509.ExtensionNotFound:
        problem(where, "CA certificate has no Subject Key Identifier (Fabric's MSP rejects it)")
    ku = ca.extensions.get_extension_for_class(x509.KeyUsage).value
    if not ku.key_cert_sign:
        problem(where, "CA certificate may not sign certificates")


def check_chain(leaf, ca, where):
    try:
        leaf.verify_directly_issued_by(ca)
        counts["chains"] += 1
    except Exception as e:  # noqa: BLE001 - any failure is a problem to report
        problem(where, f"not issued by the CA beside it: {e}")
    now = datetime.datetime.now(datetime.timezone.utc)
    if not (leaf.not_valid_before_utc <= now <= leaf.not_valid_after_utc):
        problem(where, f"not valid now ({leaf.not_valid_before_utc} .. {leaf.not_valid_after_utc})")
    if leaf.not_valid_after_utc > ca.not_valid_after_utc:
        problem(where, "outlives its CA")
    bc = leaf.extensions.get_extension_for_class(x509.BasicConstraints).value
    if bc.ca:
        problem(where, "leaf certificate is a CA")
    aki = leaf.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    ski = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    if aki.key_identifier != ski.digest:
        problem(where, "Authority Key Identifier does not name the CA's key")


def check_key(pem, leaf, where):
    text = pem.decode()
    if not text.startswith("-----BEGIN PRIVATE KEY-----"):
        problem(where, "private key is not PKCS#8 PEM")
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        problem(where, "private key is not ECDSA P-256")
        return
    if key.public_key().public_numbers() != leaf.public_key().public_numbers():
        problem(where, "private key does not belong to the certificate")


def ou(c):
    return [a.value for a in c.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)]


services = {}
for name in os.listdir(rendered_dir):
    if name.startswith("service-") and name.endswith(".yaml"):
        doc = yaml.safe_load(open(os.path.join(rendered_dir, name)))
        services[doc["metadata"]["name"]] = doc["metadata"]["namespace"]

node_roles = {}
for name in os.listdir(rendered_dir):
    if name.startswith("statefulset-") and name.endswith(".yaml"):
        doc = yaml.safe_load(open(os.path.join(rendered_dir, name)))
        node_roles[doc["metadata"]["name"]] = doc["metadata"]["labels"]["app.kubernetes.io/component"]

org_cas = {}
for name in sorted(os.listdir(secrets_dir)):
    if not name.endswith(".yaml"):
        continue
    doc = yaml.safe_load(open(os.path.join(secrets_dir, name)))
    if doc["kind"] == "Namespace":  # the Secrets' namespace, so the tree applies on its own
        continue
    counts["secrets"] += 1
    secret = doc["metadata"]["name"]
    org = doc["metadata"]["labels"]["fabgen.io/org"]
    data = {k: base64.b64decode(v) for k, v in doc["data"].items()}
    where = f"{name}"
    if doc["type"] == "kubernetes.io/tls":
        leaf, ca = cert(data["tls.crt"], where), cert(data["ca.crt"], where)
        check_ca(ca, where)
        check_chain(leaf, ca, where)
        check_key(data["tls.key"], leaf, where)
        eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        service = secret[: -len("-tls")]
        if service in services:
            sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            dns = set(sans.get_values_for_type(x509.DNSName))
            for want in (service, f"{service}.{services[service]}", f"{service}.{services[service]}.svc"):
                if want not in dns:
                    problem(where, f"SANs {sorted(dns)} lack {want}")
            if ExtendedKeyUsageOID.SERVER_AUTH not in eku:
                problem(where, "TLS certificate of a Service lacks serverAuth")
        if service in node_roles and ExtendedKeyUsageOID.CLIENT_AUTH not in eku:
            problem(where, "a node's TLS certificate lacks clientAuth (Raft, gossip, peer clients)")
        if service not in services and ExtendedKeyUsageOID.CLIENT_AUTH not in eku:
            problem(where, "a client TLS certificate lacks clientAuth")
        if secret.endswith("-tls") and "chaincode" not in secret:
            org_cas.setdefault((org, "tlsca"), set()).add(data["ca.crt"])
    elif "cacert.pem" in data:
        ca, tlsca = cert(data["cacert.pem"], where), cert(data["tlscacert.pem"], where)
        check_ca(ca, where)
        check_ca(tlsca, where)
        org_cas.setdefault((org, "ca"), set()).add(data["cacert.pem"])
        org_cas.setdefault((org, "tlsca"), set()).add(data["tlscacert.pem"])
        config = yaml.safe_load(data["config.yaml"])
        nodeous = config["NodeOUs"]
        if nodeous.get("Enable") is not True:
            problem(where, "NodeOUs are not enabled")
        for key, role in (("ClientOUIdentifier", "client"), ("PeerOUIdentifier", "peer"),
                          ("AdminOUIdentifier", "admin"), ("OrdererOUIdentifier", "orderer")):
            entry = nodeous.get(key, {})
            if entry.get("Certificate") != "cacerts/cacert.pem" or entry.get("OrganizationalUnitIdentifier") != role:
                problem(where, f"config.yaml {key} is {entry}")
        if "cert.pem" in data:
            leaf = cert(data["cert.pem"], where)
            check_chain(leaf, ca, where)
            check_key(data["key.pem"], leaf, where)
            node = secret[: -len("-msp")]
            want = node_roles.get(node) or ("admin" if secret.endswith("-admin-msp") else None)
            if want is None:
                problem(where, "an MSP of no known node or admin")
            elif ou(leaf) != [want]:
                problem(where, f"NodeOU {ou(leaf)}, a {want} needs [{want!r}]")
            ku = leaf.extensions.get_extension_for_class(x509.KeyUsage).value
            if not ku.digital_signature:
                problem(where, "a signing certificate may not sign")
    elif set(data) == {"username", "password"}:
        if len(data["password"]) < 20:
            problem(where, "password shorter than 20 characters")
    else:
        problem(where, f"unexpected keys {sorted(data)}")

for (org, role), pems in sorted(org_cas.items()):
    if len(pems) != 1:
        problem(org, f"{len(pems)} different {role} certificates among its Secrets")
    ca_file = os.path.join(secrets_dir, "authorities", org, f"{role}.pem")
    if open(ca_file, "rb").read() not in pems:
        problem(org, f"{ca_file} is not the {role} its Secrets carry")

for p in problems:
    print(p)
print(f"checked {counts['secrets']} secrets, {counts['certificates']} certificates, {counts['chains']} chains, "
      f"{len(problems)} problems")
sys.exit(1 if problems else 0)
