"""The check benchmark runs (smoke size) and prints its figure beside the floor."""

from __future__ import annotations

import pytest

from benchmarks import bench_check


def test_bench_check_smoke(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench_check.main(["--smoke"]) == 0
    out = capsys.readouterr().out
    assert "floor (json + base64 + cbor2.loads)" in out
    assert "devid check engine" in out
    assert "x floor" in out
