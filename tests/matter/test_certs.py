"""The Matter certificate profile on a chain built here (PAA -> PAI -> DAC, P-256)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from asn1crypto import x509 as ax
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID, ObjectIdentifier

from devid.matter import CertStore, parse_cert, verify_matter

VID = ObjectIdentifier("1.3.6.1.4.1.37244.2.1")
PID = ObjectIdentifier("1.3.6.1.4.1.37244.2.2")
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def name(cn: str, vid: str | None = None, pid: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    if vid is not None:
        attrs.append(x509.NameAttribute(VID, vid))
    if pid is not None:
        attrs.append(x509.NameAttribute(PID, pid))
    return x509.Name(attrs)


KU_CA = x509.KeyUsage(False, False, False, False, False, True, True, False, False)
KU_DAC = x509.KeyUsage(True, False, False, False, False, False, False, False, False)


def build(
    subject: x509.Name,
    issuer: x509.Name,
    key: Any,
    issuer_key: Any,
    *,
    ca: bool,
    path_len: int | None,
    ku: x509.KeyUsage,
    aki: bool = True,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=30))
        .not_valid_after(NOW + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=path_len), critical=True)
        .add_extension(ku, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if aki:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


@dataclass
class Chain:
    paa: x509.Certificate
    pai: x509.Certificate
    dac: x509.Certificate
    pai_key: Any

    def der(self, which: str) -> bytes:
        cert: x509.Certificate = getattr(self, which)
        return cert.public_bytes(Encoding.DER)

    def verify(self, **kwargs: Any):  # type: ignore[no-untyped-def]
        return verify_matter(
            self.der("dac"),
            self.der("pai"),
            paa_store=CertStore.from_certificates([self.paa]),
            at=NOW,
            **kwargs,
        )


def make_chain(
    *,
    paa_name: x509.Name | None = None,
    pai_name: x509.Name | None = None,
    dac_name: x509.Name | None = None,
    paa_path_len: int | None = 1,
    dac_ku: x509.KeyUsage = KU_DAC,
) -> Chain:
    paa_key, pai_key, dac_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    paa_n = paa_name or name("Test PAA", "FFF1")
    pai_n = pai_name or name("Test PAI", "FFF1")
    dac_n = dac_name or name("Test DAC", "FFF1", "8000")
    paa = build(paa_n, paa_n, paa_key, paa_key, ca=True, path_len=paa_path_len, ku=KU_CA)
    pai = build(pai_n, paa_n, pai_key, paa_key, ca=True, path_len=0, ku=KU_CA)
    dac = build(dac_n, pai_n, dac_key, pai_key, ca=False, path_len=None, ku=dac_ku)
    return Chain(paa, pai, dac, pai_key)


def errors(verdict) -> set[str]:  # type: ignore[no-untyped-def]
    return {f.code for f in verdict.findings if f.is_error}


def test_a_well_formed_chain_is_valid() -> None:
    verdict = make_chain().verify(vid=0xFFF1, pid=0x8000)
    assert (
        verdict.valid and verdict.findings == () and (verdict.vid, verdict.pid) == (0xFFF1, 0x8000)
    )


def test_paa_rules() -> None:
    assert errors(make_chain(paa_path_len=None).verify()) == set()
    bad_len = make_chain(paa_path_len=2).verify()
    assert errors(bad_len) == {"MATTER-BASIC-CONSTRAINTS"}
    assert [f.evidence["sdk_result"] for f in bad_len.findings] == ["kPaaFormatInvalid"]
    other_vid = make_chain(paa_name=name("Test PAA", "FFF2")).verify()
    assert errors(other_vid) == {"MATTER-PAI-VID-MISMATCH"}
    with_pid = make_chain(paa_name=name("Test PAA", "FFF1", "8000")).verify()
    assert errors(with_pid) == {"MATTER-PAA-PID-PRESENT"}
    assert errors(make_chain(paa_name=name("Test PAA")).verify()) == set()  # a PAA without VID


def test_dac_key_usage_and_fallback_ids() -> None:
    extra_bit = x509.KeyUsage(True, True, False, False, False, False, False, False, False)
    assert errors(make_chain(dac_ku=extra_bit).verify()) == {"MATTER-KEY-USAGE"}
    fallback = make_chain(
        dac_name=name("ACME DAC Mvid:FFF1 Mpid:00B1"), pai_name=name("PAI Mvid:FFF1")
    )
    verdict = fallback.verify(vid=0xFFF1, pid=0x00B1)
    assert verdict.valid and (verdict.vid, verdict.pid) == (0xFFF1, 0x00B1)
    mixed = make_chain(
        dac_name=x509.Name(
            [x509.NameAttribute(NameOID.COMMON_NAME, "Mvid:FFF1"), x509.NameAttribute(PID, "8000")]
        )
    )
    assert errors(mixed.verify()) == {"MATTER-DAC-VID-MISMATCH"}  # OID present: the CN is ignored
    lower = make_chain(dac_name=name("Test DAC", "fff1", "8000"))
    assert "MATTER-VIDPID-ENCODING" in errors(lower.verify())


def _with_duplicate_extension(chain: Chain) -> bytes:
    cert = ax.Certificate.load(chain.der("dac"))
    tbs = cert["tbs_certificate"]
    extensions = list(tbs["extensions"])
    tbs["extensions"] = ax.Extensions([*extensions, extensions[2]])
    cert["tbs_certificate"] = tbs
    signature = chain.pai_key.sign(tbs.dump(force=True), ec.ECDSA(hashes.SHA256()))
    cert["signature_value"] = signature
    return bytes(cert.dump(force=True))


def test_duplicate_extension_is_a_finding() -> None:
    chain = make_chain()
    der = _with_duplicate_extension(chain)
    _, findings = parse_cert(der, "dac")
    assert [f.code for f in findings] == ["MATTER-EXT-DUPLICATE"]
    assert findings[0].evidence == {
        "sdk_result": "kDacFormatInvalid",
        "sdk_code": 303,
        "certificate": "DAC",
        "extension": "2.5.29.14",
    }
    verdict = verify_matter(
        der, chain.der("pai"), paa_store=CertStore.from_certificates([chain.paa]), at=NOW
    )
    assert "MATTER-EXT-DUPLICATE" in errors(verdict) and not verdict.valid


def test_signature_from_another_issuer_breaks_the_chain() -> None:
    good, other = make_chain(), make_chain()
    verdict = verify_matter(
        other.der("dac"), good.der("pai"), paa_store=CertStore.from_certificates([good.paa]), at=NOW
    )
    assert "MATTER-CHAIN-INVALID" in errors(verdict)
    assert (
        next(f for f in verdict.findings if f.code == "MATTER-CHAIN-INVALID").evidence["sdk_code"]
        == 301
    )


def test_pem_input_equals_der_input() -> None:
    chain = make_chain()
    pem = verify_matter(
        chain.dac.public_bytes(Encoding.PEM),
        chain.pai.public_bytes(Encoding.PEM),
        paa_store=CertStore.from_certificates([chain.paa]),
        at=NOW,
    )
    assert pem.valid and pem.findings == chain.verify().findings


def test_naive_time_is_misuse() -> None:
    chain = make_chain()
    store = CertStore.from_certificates([chain.paa])
    with pytest.raises(ValueError, match="timezone"):
        verify_matter(chain.der("dac"), chain.der("pai"), paa_store=store, at=datetime(2026, 1, 1))
