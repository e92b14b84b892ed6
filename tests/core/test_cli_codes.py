"""``devid codes [PREFIX]`` through click's CliRunner."""

from __future__ import annotations

import json

from click.testing import CliRunner

from devid._codes import REGISTRY
from devid.cli import cli


def test_unknown_prefix_is_a_one_line_error() -> None:
    for args in (["codes", "NOPE"], ["codes", "NOPE", "--json"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2, args
        assert result.stdout == ""
        assert result.stderr.strip() == (
            "devid: error: no finding code starts with 'NOPE' (see 'devid codes' for the list)"
        )


def test_prefix_filters_case_insensitively() -> None:
    result = CliRunner().invoke(cli, ["codes", "id-", "--json"])
    assert result.exit_code == 0, result.stderr
    codes = [json.loads(line)["code"] for line in result.stdout.splitlines()]
    assert codes and all(code.startswith("ID-") for code in codes)
    assert len(codes) == sum(code.startswith("ID-") for code in REGISTRY)
    result = CliRunner().invoke(cli, ["codes"])
    assert result.exit_code == 0
    assert "ID-REVOKED" in result.stdout
