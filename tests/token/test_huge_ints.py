"""Issue 14 item 2: integers past Python's 4,300-digit printing limit are shown by their
size wherever a finding shows a device value; nothing escapes as ValueError."""

from __future__ import annotations

import json
from pathlib import Path

import cbor2
from click.testing import CliRunner

from devid._check import check_messages
from devid._cose import alg_name, parse_sign1, verify_sign1
from devid._findings import bounded, finding, safe_repr
from devid._token import verify_token
from devid.cli import cli
from tests.plugins.message_captures import Session
from tests.plugins.pki import TestPKI
from tests.token.test_token import good_claims, signed

HUGE = 2**20000  # 6,021 digits


def test_the_helpers_bound_any_value() -> None:
    assert bounded(HUGE) == "<integer of about 6,021 digits>"
    assert bounded(-HUGE) == "<negative integer of about 6,021 digits>"
    assert bounded([1, {"a": HUGE}]) == [1, {"a": "<integer of about 6,021 digits>"}]
    assert bounded(2**64) == 2**64  # ordinary big numbers stay numbers
    assert "integer of about" in safe_repr([HUGE])
    assert alg_name(HUGE) == "'<integer of about 6,021 digits>'"
    f = finding("ID-CLAIM-INVALID", "x", evidence={"value": HUGE, "nested": [HUGE]})
    json.dumps(f.to_dict())  # would raise ValueError with the digits


def test_token_with_huge_alg_claims_and_profiles(pki: TestPKI) -> None:
    for token in (
        signed(pki, good_claims(pki), protected={1: HUGE, 33: list(pki.device.chain_der)}),
        signed(pki, {**good_claims(pki), -70001: HUGE, 4: HUGE, 6: -HUGE, -70002: [HUGE]}),
    ):
        result = verify_token(token, now=pki.now, key=pki.device.key.public_key())
        assert not result.valid
        json.dumps(result.to_dict())
        assert any("integer of about" in (f.message + json.dumps(f.to_dict()))
                   for f in result.findings), [f.message for f in result.findings]


def test_cose_with_a_huge_alg(pki: TestPKI) -> None:
    data = signed(pki, good_claims(pki), protected={1: HUGE})
    msg, findings = parse_sign1(data)
    assert msg is not None, findings
    found = verify_sign1(msg, pki.device.key.public_key())
    assert found and all("integer of about" in f.message or f.code for f in found)
    json.dumps([f.to_dict() for f in found])


def test_verify_token_cli_json_with_a_huge_claim(pki: TestPKI, tmp_path: Path) -> None:
    path = tmp_path / "t.cbor"
    path.write_bytes(signed(pki, {**good_claims(pki), -70001: HUGE}))
    key = tmp_path / "key.pem"
    from cryptography.hazmat.primitives.serialization import Encoding

    key.write_bytes(pki.device.certificate.public_bytes(Encoding.PEM))
    result = CliRunner().invoke(cli, ["verify", "token", str(path), "--key", str(key), "--json"])
    assert result.exit_code == 1, result.output
    obj = json.loads(result.output)
    assert "<integer of about 6,021 digits>" in json.dumps(obj)


def test_check_engine_state_with_a_huge_number() -> None:
    s = Session("smart-lock/1")
    s.start()
    s.state(s.props(battery=HUGE), dt=1)
    s.raw("state", cbor2.dumps({"ts": HUGE, "seq": HUGE, "props": {"battery": -HUGE}}),
          retain=True, dt=1)
    result = check_messages(s.messages, s.profile, header=s.header)
    messages = [f.message for f in result.findings]
    assert any("integer of about 6,021 digits" in m for m in messages), messages
    json.dumps([f.to_dict() for f in result.findings])


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

# sizes, not the numbers: hypothesis prints its strategies, and these cannot be printed
_ints = st.one_of(st.integers(), st.builds(lambda bits, sign: sign * 2**bits,
                                           st.sampled_from([64, 1025, 14000, 20000]),
                                           st.sampled_from([1, -1])))
_values = st.recursive(st.one_of(_ints, st.text(max_size=5), st.booleans(), st.none()),
                       lambda inner: st.one_of(st.lists(inner, max_size=3),
                                               st.dictionaries(st.text(max_size=8), inner,
                                                               max_size=3)),
                       max_leaves=8)


@settings(max_examples=60, deadline=None)
@given(ts=_ints, seq=_ints, props=st.dictionaries(
    st.sampled_from(["battery", "locked", "rssi", "uptime", "x"]), _values, max_size=4))
def test_any_huge_number_in_a_state_is_a_finding(ts: int, seq: int, props: dict[str, object],
                                                  ) -> None:
    s = Session("smart-lock/1")
    s.start()
    s.raw("state", cbor2.dumps({"ts": ts, "seq": seq, "props": props}), retain=True, dt=1)
    s.raw("state", cbor2.dumps({"ts": ts, "seq": seq, "props": props}), retain=True, dt=1)
    result = check_messages(s.messages, s.profile, header=s.header)
    json.dumps([f.to_dict() for f in result.findings])
    for f in result.findings:
        assert len(f.message) < 2000
