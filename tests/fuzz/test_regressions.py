"""Inputs the fuzz campaign (``benchmarks/fuzz.py``) found, as regular regression tests.

Each was an exception escaping, or an input over the time limit, before its fix.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from devid import check_lines, lint_profile, load_profile
from devid._capture import MAX_T, iter_capture, parse_line
from devid._check import CheckEngine
from devid._findings import Finding
from devid._multicheck import check_capture_lines
from devid._profiles import MAX_FLOW_DEPTH, MAX_PROFILE_BYTES, ProfileError
from tests.fuzz.harness import TIME_LIMIT_S, world
from tests.plugins.message_captures import Session


def _capture(started: object, t: object = None) -> list[str]:
    """A one-device capture with its identity token, header ``started`` and the first
    message's receive time ``t`` (raw JSON text, so huge numbers stay what they are)."""
    s = Session("smart-lock/1")
    s.healthy(duration=60, identity=world().token)
    lines = s.lines()
    header = json.loads(lines[0])
    lines[0] = json.dumps(header).replace(f'"started": {header["started"]!r}',
                                          f'"started": {started}')
    if t is not None:
        first = json.loads(lines[1])
        lines[1] = (f'{{"t": {t}, "topic": "{first["topic"]}", '
                    f'"payload": "{first["payload"]}", "qos": 1, "retain": true}}')
    return lines


@pytest.mark.parametrize("started", ["17000000000000.0", "1e300", "-1e300", "1" + "0" * 400])
def test_a_capture_start_no_date_holds_is_not_a_start(started: str) -> None:
    # fuzz reproducer multicheck-exception-aa3b9d08: "started": 1.7e13 made the identity
    # verification's datetime.fromtimestamp raise "year 540678 is out of range"
    lines = _capture(started)
    assert f'"started": {started}' in lines[0]
    result = check_capture_lines(lines, None, validator=world().validator)
    assert isinstance(result.findings, tuple | list)
    header = next(iter(iter_capture(lines[:1])))
    assert getattr(header, "started", "x") is None


@pytest.mark.parametrize("t", ["1e15", "-1e15", "1" + "0" * 400, "-" + "1" * 400])
def test_a_receive_time_no_date_holds_is_a_capture_line_finding(t: str) -> None:
    lines = _capture(1_700_000_000.0, t)
    item = parse_line(lines[1], 2)
    assert isinstance(item, Finding) and item.code == "MSG-CAPTURE-LINE"
    assert "Unix seconds" in item.message
    for result in (check_capture_lines(lines, None, validator=world().validator),
                   check_lines(lines, Session("smart-lock/1").profile,
                               validator=world().validator)):
        assert "MSG-CAPTURE-LINE" in {f.code for f in result.findings}


@pytest.mark.parametrize("t", [1e15, -1e15, float("nan"), float("inf"), MAX_T])
def test_the_engine_verifies_identity_whatever_float_it_was_given(t: float) -> None:
    # feed_raw takes any float: the identity is verified at the nearest representable time
    s = Session("smart-lock/1")
    s.start(identity=world().token)
    engine = CheckEngine(s.profile, validator=world().validator)
    for m in s.messages:
        engine.feed_raw(t, m.topic, m.payload, m.retain, m.line)
    codes = {f.code for f in engine.finish().findings}
    assert "ID-TOKEN-MISSING" not in codes  # the token was seen and judged


def _timed_lint(path: Path) -> tuple[list[Finding], float]:
    start = time.perf_counter()
    findings = lint_profile(path)
    return findings, time.perf_counter() - start


@pytest.mark.parametrize("opener", ["[", "{a: "])
def test_deep_flow_nesting_in_a_profile_is_refused_before_parsing(tmp_path: Path,
                                                                   opener: str) -> None:
    # fuzz reproducer profile-slow-ebceaadc: ~1,500 "[" took ruamel 0.6-0.75 s to refuse
    path = tmp_path / "deep.yaml"
    shipped = (Path(__file__).resolve().parents[2] / "profiles" / "alarm-panel-1.yaml")
    path.write_text(shipped.read_text() + "  fault: " + opener * 1500 + "\n")
    lint_profile(path)  # warm
    findings, elapsed = _timed_lint(path)
    assert [f.code for f in findings] == ["PROFILE-INVALID"]
    assert f"nested deeper than {MAX_FLOW_DEPTH}" in findings[0].message
    assert elapsed < TIME_LIMIT_S / 5
    with pytest.raises(ProfileError, match="nested deeper"):
        load_profile(path)


def test_brackets_in_quoted_scalars_and_comments_are_not_nesting(tmp_path: Path) -> None:
    path = tmp_path / "quoted.yaml"
    shipped = Path(__file__).resolve().parents[2] / "profiles" / "smart-lock-1.yaml"
    deep = "[" * (MAX_FLOW_DEPTH + 10)
    path.write_text(shipped.read_text() + f'# {deep}\nx-note: "{deep}"\n')
    messages = [f.message for f in lint_profile(path)]
    assert not any("nested deeper" in m for m in messages), messages


def test_a_profile_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    # profile lint reads ~150 KB/s: 1 MiB (the old limit) took 6 s; now 32 KiB at most
    path = tmp_path / "big.yaml"
    shipped = Path(__file__).resolve().parents[2] / "profiles" / "smart-lock-1.yaml"
    path.write_text(shipped.read_text() + "# " + "x" * MAX_PROFILE_BYTES + "\n")
    findings, elapsed = _timed_lint(path)
    assert len(findings) == 1 and f"larger than {MAX_PROFILE_BYTES}" in findings[0].message
    assert elapsed < TIME_LIMIT_S / 5
    # the largest document under the limit still lints within the time limit
    body = shipped.read_text()
    extra = "".join(f"  p{i}:\n    type: integer\n    minimum: 0\n    maximum: 9\n"
                    for i in range(2000))
    text = body.replace("properties:\n", "properties:\n" + extra, 1)
    text = text[: MAX_PROFILE_BYTES - 64]
    text = text[: text.rfind("\n  p")] + "\n"
    path.write_text(text)
    assert len(text.encode()) <= MAX_PROFILE_BYTES
    lint_profile(path)
    _, elapsed = _timed_lint(path)
    assert elapsed < TIME_LIMIT_S



def test_profile_caches_stay_bounded_when_a_file_is_rewritten(tmp_path: Path) -> None:
    # fuzz run (profile, 3e4 inputs): RSS grew 42 MB, +23 MB in the second half: the
    # resolved-profile and index caches are keyed by mtime and gained an entry per rewrite
    import os

    from devid import _profiles

    path = tmp_path / "p.yaml"
    shipped = Path(__file__).resolve().parents[2] / "profiles" / "smart-lock-1.yaml"
    for i in range(3 * _profiles.MAX_CACHED):
        path.write_text(shipped.read_text().replace("SmartLock", f"SmartLock{i}"))
        os.utime(path, ns=(10**18 + i, 10**18 + i))
        load_profile(path)
    assert len(_profiles._RESOLVED_CACHE) <= _profiles.MAX_CACHED
    assert len(_profiles._INDEX_CACHE) <= _profiles.MAX_CACHED
