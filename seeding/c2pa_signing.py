"""Images and video with content credentials (C2PA) signed by a throwaway certificate
authority, for the demo and the tests: the CA and an end-entity certificate with what C2PA
asks of a claim signer (digitalSignature key usage, the emailProtection extended key usage,
not a CA), made fresh in each process. Never a production signer."""

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

import c2pa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from PIL import Image

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
# Fixed validity far around any date the suite runs on.
NOT_BEFORE = datetime(2020, 1, 1, tzinfo=UTC)
NOT_AFTER = datetime(2090, 1, 1, tzinfo=UTC)


def _name(common: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Ethics Review tests"),
        ]
    )


def _usage(*, signer: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signer,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not signer,
        crl_sign=not signer,
        encipher_only=False,
        decipher_only=False,
    )


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


@dataclass(frozen=True)
class TestAuthority:
    ca_pem: bytes
    chain_pem: bytes  # end-entity first, then the CA
    key_pem: bytes


@cache
def authority() -> TestAuthority:
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("Ethics Review test CA"))
        .issuer_name(_name("Ethics Review test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOT_BEFORE)
        .not_valid_after(NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(signer=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    signer = (
        x509.CertificateBuilder()
        .subject_name(_name("Ethics Review test signer"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOT_BEFORE)
        .not_valid_after(NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(signer=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return TestAuthority(_pem(ca), _pem(signer) + _pem(ca), key_pem)


def image(fmt: str = "PNG") -> bytes:
    """A small plain image without credentials."""
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


def signed(
    fmt: str = "PNG", *, source: str = "trainedAlgorithmicMedia", tool: str = "TestGen"
) -> bytes:
    """The image signed with the test authority, its action declaring ``source`` (an IPTC
    digital source type code; the library requires one on a created action)."""
    mime = "image/png" if fmt == "PNG" else "image/jpeg"
    return sign(image(fmt), mime, source=source, tool=tool)


def sign(
    data: bytes, mime: str, *, source: str = "trainedAlgorithmicMedia", tool: str = "TestGen"
) -> bytes:
    """``data`` (an image, or an MP4 / QuickTime video) with a manifest signed by the test
    authority, its created action declaring ``source``."""
    action = {"action": "c2pa.created", "digitalSourceType": IPTC + source}
    manifest = {
        "claim_generator_info": [{"name": tool, "version": "1.0"}],
        "title": "creative",
        "assertions": [{"label": "c2pa.actions", "data": {"actions": [action]}}],
    }
    ca = authority()
    info = c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES256, ca.chain_pem, ca.key_pem, None)
    out = io.BytesIO()
    with c2pa.Signer.from_info(info) as signer, c2pa.Builder(manifest) as builder:
        builder.sign(signer, mime, io.BytesIO(data), out)
    return out.getvalue()


def tampered(data: bytes) -> bytes:
    """The signed image with one byte of its pixels changed after signing."""
    changed = bytearray(data)
    at = changed.rfind(b"IDAT") + 12 if data.startswith(b"\x89PNG") else len(data) - 20
    changed[at] ^= 0xFF
    return bytes(changed)
