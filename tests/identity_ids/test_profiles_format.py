"""Profiles' ``format:`` on string properties: schema, lint, examples and the check engine."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest

from devid import check_identifier, lint_profile, load_profile
from devid._check import value_problem
from devid._identifiers import SCHEME_NAMES
from devid._profiles import PropertySpec, builtin_profile_dir, example_value
from simulator._values import initial_value
from tests.plugins.message_captures import Session, codes

GOOD_CODE = "34020000001320000001"


def camera(device_code: object) -> Session:
    s = Session("ip-camera/1")
    s.healthy(240)
    s.state(s.props(device_code=device_code), dt=1)
    return s


def test_ip_camera_declares_an_optional_gb28181_device_code() -> None:
    spec = load_profile("ip-camera/1").properties["device_code"]
    assert (spec.type, spec.format, spec.required) == ("string", "gb28181", False)
    assert "GB/T 28181" in spec.description


def test_good_device_code_has_no_finding() -> None:
    result = camera(GOOD_CODE).check()
    assert result.findings == [] and result.valid


@pytest.mark.parametrize("bad", ["3402000000132000000", "3402000000132000000X",
                                 "urn:dev:ops:32473-Cam-1", ""])
def test_bad_device_code_is_msg_format(bad: str) -> None:
    result = camera(bad).check()
    assert codes(result) == ["MSG-FORMAT"]
    f = result.findings[0]
    assert f.evidence["name"] == "device_code" and "gb28181" in f.message
    assert not result.valid


def test_wrong_type_is_still_msg_type() -> None:
    assert codes(camera(34020000001320000001).check()) == ["MSG-TYPE"]


def test_line_reader_path_agrees() -> None:
    assert codes(camera("123").check_lines()) == ["MSG-FORMAT"]
    assert camera(GOOD_CODE).check_lines().findings == []


def test_matter_format_test_vendor_is_a_warning_malformed_an_error() -> None:
    spec = PropertySpec.model_validate({"type": "string", "format": "matter"})
    assert value_problem(spec, "0x130D:0x1001") is None
    tv = value_problem(spec, "0xFFF1")
    assert tv is not None and tv[0] == "ID-MATTER-TEST-VENDOR"
    bad = value_problem(spec, "0x0")
    assert bad is not None and bad[0] == "MSG-FORMAT"


def test_sensitive_value_is_not_shown_in_the_message() -> None:
    spec = PropertySpec.model_validate({"type": "string", "format": "urn",
                                        "data_class": "sensitive"})
    problem = value_problem(spec, "urn:dev:secret-value")
    assert problem is not None and problem[0] == "MSG-FORMAT"
    assert "secret-value" not in problem[1] and "<redacted>" in problem[1]


@pytest.mark.parametrize("scheme", SCHEME_NAMES)
def test_examples_and_simulated_values_are_well_formed(scheme: str) -> None:
    spec = PropertySpec.model_validate({"type": "string", "format": scheme})
    for value in (example_value(spec), initial_value("x", spec, random.Random(1))):
        assert check_identifier(value, scheme).valid
        problem = value_problem(spec, value)
        assert problem is None or problem[0] == "ID-MATTER-TEST-VENDOR"  # the example's VID


def test_builtin_profiles_lint_clean() -> None:
    files = sorted(builtin_profile_dir().glob("*.yaml"))
    assert any(f.name == "ip-camera-1.yaml" for f in files)
    for path in files:
        assert lint_profile(path) == [], path
    proc = subprocess.run([sys.executable, "-m", "devid", "profile", "lint",
                           *map(str, files)], capture_output=True, text=True, timeout=60,
                          check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _doc(tmp_path: Path, prop: str) -> Path:
    path = tmp_path / "cam-1.yaml"
    path.write_text(f"id: cam/1\nextends: core/1\ntitle: Cam\nproperties:\n{prop}")
    return path


def test_lint_format_on_a_non_string(tmp_path: Path) -> None:
    found = lint_profile(_doc(tmp_path, "  code:\n    type: integer\n    format: gb28181\n"))
    assert [f.code for f in found] == ["PROFILE-INVALID"]
    assert "'format' applies to string" in found[0].message


def test_lint_unknown_format(tmp_path: Path) -> None:
    found = lint_profile(_doc(tmp_path, "  code:\n    type: string\n    format: ean13\n"))
    assert [f.code for f in found] == ["PROFILE-INVALID"]
    assert "format" in found[0].message


def test_lint_sets_literal_is_checked_against_the_format(tmp_path: Path) -> None:
    path = tmp_path / "cam-1.yaml"
    path.write_text("id: cam/1\nextends: core/1\ntitle: Cam\nproperties:\n"
                    "  code:\n    type: string\n    format: gb28181\n"
                    "commands:\n  reset-code:\n    sets: {code: '123'}\n")
    found = lint_profile(path)
    assert [f.code for f in found] == ["PROFILE-INVALID"]
    assert "well-formed gb28181" in found[0].message
