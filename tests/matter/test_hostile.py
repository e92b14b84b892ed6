"""Hostile input to every Matter entry point: only findings, never an exception, each fast.

Harnesses (hypothesis, CI smoke size) mutate valid seeds from ../shared/vectors/matter
(bit flips, truncation, splicing, inflated lengths, deep nesting, duplicated and retagged
DER nodes, unknown algorithms, huge integers and OIDs; Matter TLV and JSON aware
mutations) into certificate parse, TLV decode, CD parse, revocation-set parse,
attestation-response verification and the whole verify_matter. Each asserts that the
result is findings (or the entry point's one documented exception), that no message
carries a parser's text, and that one input takes less than PER_INPUT_SECONDS.

Below them, every reproducer a harness or the fuzz campaign (issues 13, 14) found is a
regular test; each failed before the fix (noted per test).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devid._findings import Finding
from devid.matter import (
    CertStore,
    RevocationSet,
    RevocationSetError,
    TLVError,
    build_attestation_elements,
    decode_tlv,
    load_revocation_set,
    parse_cd,
    parse_cert,
    parse_revocation_set,
    verify_attestation_response,
    verify_matter,
)
from devid.matter._guard import MAX_DER_DEPTH, MAX_OID_BYTES
from tests.matter import _hostile as H

AT = datetime(2026, 1, 1, tzinfo=UTC)
PER_INPUT_SECONDS = 0.5
NONCE = bytes(range(32))
# Text that only a parser writes: it must never reach a finding's message.
LEAKS = (
    "Insufficient data",
    "while parsing",
    "asn1crypto",
    "Expecting value",
    "ParseError",
    "has no attribute",
    "index out of range",
    "line 1 column",
    "Traceback",
)
SMOKE = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)

T = TypeVar("T")


@pytest.fixture(scope="module")
def seeds() -> H.Seeds:
    from tests.plugins.vectors import vectors_dir

    return H.load_seeds(vectors_dir("matter"))


@pytest.fixture(scope="module")
def store() -> CertStore:
    from tests.plugins.vectors import vectors_dir

    return CertStore.from_directory(vectors_dir("matter") / "paa")


def timed(fn: Callable[[], T]) -> T:
    """Run ``fn`` with warnings as errors (a warning is an escape too); check its time."""
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = fn()
    elapsed = time.perf_counter() - start
    assert elapsed < PER_INPUT_SECONDS, f"{elapsed:.3f} s for one input"
    return result


def clean(findings: Any) -> None:
    for f in findings:
        assert isinstance(f, Finding)
        assert not any(leak in f.message for leak in LEAKS), f.message


# --- harnesses ----------------------------------------------------------------------------


@SMOKE
@given(data=st.data(), role=st.sampled_from(["dac", "pai", "paa"]))
def test_certificate_parse_gives_findings(seeds: H.Seeds, data: st.DataObject, role: str) -> None:
    der = data.draw(H.mutated(seeds.certs, H.der_mutator(seeds.certs)))
    cert, findings = timed(lambda: parse_cert(der, role))
    clean(findings)
    assert cert is not None or any(f.is_error for f in findings)


@SMOKE
@given(data=st.data())
def test_tlv_decode_raises_only_tlverror(seeds: H.Seeds, data: st.DataObject) -> None:
    raw = data.draw(H.mutated(seeds.cd_contents, H.mutate_tlv))

    def run() -> object:
        try:
            return decode_tlv(raw)
        except TLVError as exc:
            return exc

    timed(run)


@SMOKE
@given(data=st.data())
def test_cd_parse_gives_findings(seeds: H.Seeds, store: CertStore, data: st.DataObject) -> None:
    der = data.draw(H.mutated(seeds.cds, H.der_mutator(seeds.cds)))
    cd, findings = timed(lambda: parse_cd(der, store))
    clean(findings)
    assert cd is not None or any(f.is_error for f in findings)


@SMOKE
@given(data=st.data())
def test_revocation_set_gives_a_finding(seeds: H.Seeds, data: st.DataObject) -> None:
    raw = data.draw(H.mutated(seeds.revocation, H.mutate_json, max_rounds=2))
    parsed, findings = timed(lambda: parse_revocation_set(raw))
    clean(findings)
    assert (parsed is None) == bool(findings)
    if parsed is None:
        assert [f.code for f in findings] == ["MATTER-REVOCATION-MALFORMED"]
        with pytest.raises(RevocationSetError):
            load_revocation_set(raw)


@SMOKE
@given(data=st.data(), part=st.sampled_from(["elements", "dac", "signature"]))
def test_attestation_verify_gives_findings(
    seeds: H.Seeds, data: st.DataObject, part: str
) -> None:
    cd = data.draw(st.sampled_from(seeds.cds))
    elements = build_attestation_elements(cd, NONCE)
    dac = data.draw(st.sampled_from(seeds.certs))
    signature = bytes(64)
    if part == "elements":
        elements = data.draw(H.mutated((elements,), H.mutate_tlv))
    elif part == "dac":
        dac = data.draw(H.mutated((dac,), H.der_mutator(seeds.certs)))
    else:
        signature = data.draw(H.mutated((signature,), lambda b, r: H.mutate_bytes(b, r, [b])))
    result = timed(lambda: verify_attestation_response(elements, b"c" * 32, signature, dac, NONCE))
    clean(result.findings)
    assert not result.valid


@SMOKE
@given(data=st.data(), part=st.sampled_from(["dac", "pai", "cd"]))
def test_attestation_chain_verify_gives_findings(
    seeds: H.Seeds, store: CertStore, data: st.DataObject, part: str
) -> None:
    case = data.draw(st.integers(0, len(seeds.cds) - 1))
    parts = {"dac": seeds.certs[2 * case], "pai": seeds.certs[2 * case + 1], "cd": seeds.cds[case]}
    pool = seeds.cds if part == "cd" else seeds.certs
    parts[part] = data.draw(H.mutated((parts[part],), H.der_mutator(pool)))
    revocation = load_revocation_set(data.draw(st.sampled_from(seeds.revocation)))
    verdict = timed(
        lambda: verify_matter(
            parts["dac"], parts["pai"], paa_store=store, at=AT, cd=parts["cd"],
            cd_signers=store, vid=0xFFF1, pid=0x8000, revocation=revocation,
        )
    )
    clean(verdict.findings)


# --- reproducers: each raised, leaked a warning or was slow before the fix -------------------


@pytest.fixture
def chain(matter_case) -> tuple[bytes, bytes]:  # type: ignore[no-untyped-def]
    case = matter_case("struct_cd_dac_origin_vid_pid_missing")
    return case.dac, case.pai


def _verify(dac: bytes, pai: bytes, store: CertStore) -> list[str]:
    verdict = timed(
        lambda: verify_matter(dac, pai, paa_store=store, at=AT, revocation=RevocationSet(()))
    )
    clean(verdict.findings)
    assert not verdict.valid
    return [f.code for f in verdict.findings if f.is_error]


def test_vid_attribute_encoded_as_real(chain: tuple[bytes, bytes], store: CertStore) -> None:
    """Issue 14 item 4; before: AttributeError: 'Real' object has no attribute 'native'."""
    dac = H.with_name_attribute(chain[0], "subject", H.OID_MATTER_VID, 0x09, b"\x03\x31\x2e\x30")
    _, findings = timed(lambda: parse_cert(dac, "dac"))
    assert [f.code for f in findings] == ["MATTER-CERT-MALFORMED"]
    assert findings[0].evidence["part"] == "subject name"
    assert "MATTER-CERT-MALFORMED" in _verify(dac, chain[1], store)


def test_key_usage_with_an_empty_bit_string(chain: tuple[bytes, bytes], store: CertStore) -> None:
    """Issue 14 item 4; before: IndexError inside asn1crypto."""
    dac = H.with_extension_value(chain[0], H.OID_KEY_USAGE, b"\x03\x00")
    _, findings = timed(lambda: parse_cert(dac, "dac"))
    bad = [f for f in findings if f.code == "MATTER-CERT-MALFORMED"]
    assert len(bad) == 1 and bad[0].evidence["extension"] == "2.5.29.15"
    assert bad[0].message == "DAC extension 2.5.29.15 does not parse"
    # present but unreadable: not also reported as missing
    assert not any(f.code == "MATTER-KEY-USAGE" for f in findings)
    _verify(dac, chain[1], store)


def test_key_usage_with_an_unnamed_bit(chain: tuple[bytes, bytes], store: CertStore) -> None:
    """Found by the harness; before: TypeError sorting asn1crypto's named and numbered bits."""
    dac = H.with_extension_value(chain[0], H.OID_KEY_USAGE, b"\x03\x03\x06\x80\x40")
    _, findings = timed(lambda: parse_cert(dac, "dac"))
    usage = [f for f in findings if f.code == "MATTER-KEY-USAGE"]
    assert len(usage) == 1 and usage[0].evidence["key_usage"] == ["9", "digital_signature"]
    _verify(dac, chain[1], store)


def test_issuer_with_an_empty_rdn(chain: tuple[bytes, bytes], store: CertStore) -> None:
    """Found by the harness; before: cryptography parses names lazily and the revocation
    check raised ValueError (a relative distinguished name cannot be empty)."""
    dac = H.with_empty_rdn(chain[0], "issuer")
    _, findings = timed(lambda: parse_cert(dac, "dac"))
    assert [f.code for f in findings] == ["MATTER-CERT-MALFORMED"]
    assert findings[0].evidence["part"] == "issuer name"
    assert "MATTER-CERT-MALFORMED" in _verify(dac, chain[1], store)


def test_issuer_with_an_empty_common_name(chain: tuple[bytes, bytes], store: CertStore) -> None:
    """Found by the harness; before: cryptography's UserWarning escaped from the revocation
    check (an error under -W error)."""
    dac = H.with_name_attribute(chain[0], "issuer", "550403", 0x0C, b"")
    _, findings = timed(lambda: parse_cert(dac, "dac"))
    assert any(f.code == "MATTER-CERT-MALFORMED" and "length" in f.message for f in findings)
    assert "MATTER-CERT-MALFORMED" in _verify(dac, chain[1], store)


def test_huge_object_identifier_is_refused_before_parsing(
    chain: tuple[bytes, bytes], store: CertStore
) -> None:
    """Issue 13's slow inputs; before: 0.63 s in parse_cert and 0.74 s in verify_matter here
    (asn1crypto turns an OID arc into a Python int, quadratic in its length)."""
    oid = H.der_oid(63000)
    policies = b"\x30\x84" + (len(oid) + 6).to_bytes(4, "big") + b"\x30\x84" + len(oid).to_bytes(
        4, "big"
    ) + oid
    dac = H.with_extra_extension(chain[0], H.OID_CERT_POLICIES, policies)
    _, findings = timed(lambda: parse_cert(dac, "dac"))
    assert [f.message for f in findings] == [
        f"DAC holds an object identifier of 63000 bytes (limit {MAX_OID_BYTES})"
    ]
    _verify(dac, chain[1], store)


def test_deeply_nested_der_is_refused(chain: tuple[bytes, bytes]) -> None:
    inner = chain[0]
    for _ in range(MAX_DER_DEPTH + 1):
        inner = b"\x30" + H._length(len(inner)) + inner
    _, findings = timed(lambda: parse_cert(inner, "dac"))
    assert [f.message for f in findings] == [
        f"DAC nests DER deeper than {MAX_DER_DEPTH} levels"
    ]


def test_revocation_set_of_100000_brackets() -> None:
    """Issue 14 item 4; before: RecursionError escaped load_revocation_set."""
    raw = b"[" * 100_000
    parsed, findings = timed(lambda: parse_revocation_set(raw))
    assert parsed is None
    assert [(f.code, f.message) for f in findings] == [
        ("MATTER-REVOCATION-MALFORMED", "revocation set: JSON nested too deeply")
    ]
    with pytest.raises(RevocationSetError, match="nested too deeply"):
        load_revocation_set(raw)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"garbage", "not JSON (syntax error at line 1, column 1)"),
        (b"", "empty document"),
        (b"\xff\xfe\x00", "not JSON (not UTF-8 text)"),
        (b"[" + b"9" * 5000 + b"]", "not JSON within the decoder's limits"),
        (b'[{"type": "revocation_set", "issuer_subject_key_id": "AB", '
         b'"revoked_serial_numbers": [], "issuer_name": "!!"}]',
         "entry 0: issuer_name is not base64"),
    ],
)
def test_revocation_set_reasons_are_devids_own(raw: bytes, reason: str) -> None:
    """Before: the JSON decoder's or binascii's text ("Expecting value: line 1 column 1")."""
    with pytest.raises(RevocationSetError) as caught:
        load_revocation_set(raw)
    assert str(caught.value) == reason


def test_revocation_set_limits() -> None:
    from devid.matter._revocation import (
        MAX_REVOCATION_BYTES,
        MAX_REVOCATION_ENTRIES,
        MAX_REVOKED_SERIALS,
    )

    too_big = b"[" + b" " * MAX_REVOCATION_BYTES + b"]"
    many = b"[" + b"{}," * MAX_REVOCATION_ENTRIES + b"{}]"
    entry = (b'{"type": "revocation_set", "issuer_subject_key_id": "AB", "issuer_name": "", '
             b'"revoked_serial_numbers": [' + b'"1",' * MAX_REVOKED_SERIALS + b'"1"]}')
    for raw, reason in (
        (too_big, f"larger than {MAX_REVOCATION_BYTES} bytes"),
        (many, f"more than {MAX_REVOCATION_ENTRIES} entries"),
        (b"[" + entry + b"]", f"more than {MAX_REVOKED_SERIALS} revoked serial numbers"),
    ):
        parsed, findings = timed(lambda raw=raw: parse_revocation_set(raw))  # type: ignore[misc]
        assert parsed is None and findings[0].evidence["reason"] == reason


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda cd: cd[:40], "the CD is truncated: the element at offset 0 claims"),
        (lambda cd: b"garbage", "the CD is not DER: it starts with 0x67, not a SEQUENCE"),
        (lambda cd: b"", "the CD is empty"),
        (lambda cd: cd + b"\x00", "the CD has 1 bytes after the end of its DER structure"),
        (lambda cd: b"-----BEGIN CMS-----\nMIIB", "the CD is PEM without an END line"),
    ],
)
def test_cd_reasons_are_devids_own(matter_case, mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    """Before: asn1crypto's "Insufficient data - 984 bytes requested but only ..." text."""
    cd = mutate(matter_case("struct_cd_dac_origin_vid_pid_missing").cd)
    parsed, findings = timed(lambda: parse_cd(cd, None))
    assert parsed is None and [f.code for f in findings] == ["MATTER-CD-MALFORMED"]
    assert findings[0].message.startswith(message)
    clean(findings)


def test_cd_given_as_pem_parses(matter_case, matter_cd_signers: CertStore) -> None:  # type: ignore[no-untyped-def]
    import base64

    der = matter_case("struct_cd_dac_origin_vid_pid_missing").cd
    pem = b"-----BEGIN CMS-----\n" + base64.encodebytes(der) + b"-----END CMS-----\n"
    assert parse_cd(pem, matter_cd_signers)[0] == parse_cd(der, matter_cd_signers)[0] is not None


def test_tlv_decode_refuses_limits_beyond_its_ceilings() -> None:
    """A caller's max_depth is bounded (before: max_depth=10**6 let RecursionError escape)."""
    from devid.matter._tlv import DEPTH_CEILING

    with pytest.raises(ValueError, match="at most"):
        decode_tlv(b"\x16" * 5000, max_depth=10**6)
    with pytest.raises(TLVError, match="nested deeper"):
        decode_tlv(b"\x16" * 5000, max_depth=DEPTH_CEILING)


def test_tlv_worst_case_time() -> None:
    """64 KiB (the default limit) of the cheapest elements: one Element per byte."""
    timed(lambda: decode_tlv(b"\x16" + b"\x08" * (64 * 1024 - 2) + b"\x18"))
    timed(lambda: decode_tlv(b"\x16" + b"\x16\x18" * (32 * 1024 - 1) + b"\x18"))


def test_store_file_larger_than_the_limit_is_an_io_error(tmp_path: Path) -> None:
    from devid.matter._certs import MAX_STORE_FILE_BYTES

    (tmp_path / "huge.pem").write_bytes(b"\x00" * (MAX_STORE_FILE_BYTES + 1))
    with pytest.raises(OSError, match="larger than"):
        CertStore.from_directory(tmp_path)
