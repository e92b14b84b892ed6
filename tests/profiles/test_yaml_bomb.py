"""Issue 14 item 8: a profile of nested YAML aliases ("billion laughs") is refused fast."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from devid._profiles import ProfileError, lint_profile, load_profile
from devid.cli import cli


def bomb(levels: int) -> str:
    lines = ["id: bomb/1", "extends: core/1", 'a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, levels):
        refs = ",".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    lines.append(f"properties: {{battery: {{type: integer, description: *a{levels - 1}}}}}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("levels", [7, 9])  # 10^7 and 10^9 leaves once expanded
def test_an_alias_bomb_is_a_one_line_error_in_well_under_a_second(tmp_path: Path,
                                                                    levels: int) -> None:
    path = tmp_path / "bomb-1.yaml"
    path.write_text(bomb(levels))
    assert path.stat().st_size < 1000
    start = time.perf_counter()
    with pytest.raises(ProfileError, match="expands to more than 100,000 nodes"):
        load_profile(path)
    [problem] = lint_profile(path)
    assert "expands to more than" in problem.message
    result = CliRunner().invoke(cli, ["profile", "lint", str(path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert time.perf_counter() - start < 1.5  # three reads; each well under 0.5 s


def test_aliases_that_stay_small_are_still_allowed(tmp_path: Path) -> None:
    path = tmp_path / "ok-1.yaml"
    path.write_text("id: ok/1\nextends: core/1\nrange: &r {type: integer, minimum: 0, "
                    "maximum: 100, unit: '%'}\nproperties: {battery: *r, level: *r}\n")
    with pytest.raises(ProfileError, match="unknown key"):  # 'range' is not a profile key
        load_profile(path)
    path.write_text("id: ok/1\nextends: core/1\nproperties:\n  battery: &r {type: integer, "
                    "minimum: 0, maximum: 100, unit: '%'}\n  level: *r\n")
    assert set(load_profile(path).properties) >= {"battery", "level"}
