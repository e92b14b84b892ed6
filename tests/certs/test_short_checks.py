"""Short checks of the per-leaf path agree with the general ones: the string-method check
of the usual ops URN with the RFC 9039 grammar, the bit-by-bit keyUsage callback with
KeyUsage equality."""

from __future__ import annotations

import itertools

import pytest
from cryptography import x509
from hypothesis import given, settings
from hypothesis import strategies as st

from devid._certs import (
    LEAF_KEY_USAGE,
    ProfileViolation,
    _fast_leaf_ku,
    _plain_ops_urn,
    _text_urn_problem,
    urn_problem,
)

_CHARS = st.sampled_from(list("urn:dev:ops-0123456789aZ._~%/+#-_ \x00²é"))


@settings(max_examples=3000, deadline=None)
@given(st.one_of(st.text(_CHARS, max_size=30).map(lambda t: "urn:dev:ops:" + t),
                 st.text(_CHARS, max_size=30)))
def test_short_check_accepts_only_what_the_grammar_accepts(urn: str) -> None:
    if _plain_ops_urn(urn):
        assert _text_urn_problem(urn) is None
    elif urn.startswith("urn:dev:ops:") and "%" not in urn:
        # without percent-encoding, everything the grammar accepts is the usual form
        assert _text_urn_problem(urn) is not None
    assert (urn_problem(urn) is None) == (_text_urn_problem(urn) is None)


def test_examples() -> None:
    assert _plain_ops_urn("urn:dev:ops:32473-Lock-00001")
    assert _plain_ops_urn("urn:dev:ops:1-a-b-c~.")
    for bad in ("urn:dev:ops:0473-Lock-1", "urn:dev:ops:32473-Lock-", "urn:dev:ops:32473--1",
                "urn:dev:ops:²-Lock-1", "urn:dev:ops:1-Lo/ck-1", "URN:dev:ops:1-a-b",
                "urn:dev:ops:1-a%41-b", "urn:dev:ops:-a-b", "urn:dev:ops:1-a"):
        assert not _plain_ops_urn(bad), bad
    assert urn_problem("URN:dev:ops:1-a-b") is None  # still valid, through the grammar
    assert urn_problem("urn:dev:ops:1-a%41-b") is None


def test_key_usage_callback_is_equality_with_the_device_key_usage() -> None:
    checked = 0
    for bits in itertools.product((False, True), repeat=9):
        try:
            ku = x509.KeyUsage(*bits)
        except ValueError:  # encipher/decipherOnly without keyAgreement
            continue
        checked += 1
        if ku == LEAF_KEY_USAGE:
            _fast_leaf_ku(None, None, ku)  # type: ignore[arg-type]
        else:
            with pytest.raises(ProfileViolation):
                _fast_leaf_ku(None, None, ku)  # type: ignore[arg-type]
    assert checked == 320
