"""Hostile CBOR: decode raises only CborError (issue 14, item 1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from devid._cbor import CborError, decode
from devid.cli import cli


def test_a_map_keyed_by_nested_tags_decodes_or_is_malformed_never_runtime_error() -> None:
    data = bytes.fromhex("a1d830d830d8308000")  # {48(48(48([]))): 0}
    try:
        value = decode(data)
    except CborError:
        return
    assert isinstance(value, dict) and len(value) == 1


def test_a_duplicate_of_such_a_key_is_malformed() -> None:
    data = bytes.fromhex("a2d830d830d8308000d830d830d8308001")
    with pytest.raises(CborError) as info:
        decode(data)
    assert info.value.kind == "malformed"  # cbor2 may reject it first (an unhashable key)


def test_check_of_the_reproducer_reports_instead_of_aborting(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps({"t": 1, "topic": "devid/1/urn:dev:ops:32473-SmartLock-0001/"
                                "identity", "payload": "odgw2DDYMIAA"}) + "\n")
    res = CliRunner().invoke(cli, ["check", str(path), "--profile", "smart-lock/1",
                                   "--ecosystem", "devid", "--json"])
    assert res.exit_code in (0, 1), res.output
    assert json.loads(res.output)["devices"] == 1
