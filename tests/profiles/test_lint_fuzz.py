"""Hypothesis: lint never raises, whatever the document holds."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devid._profiles import MAX_PROFILE_BYTES, ProfileError, lint_profile, load_profile

keys = st.sampled_from(["id", "extends", "heartbeat_s", "properties", "events", "commands",
                        "type", "unit", "minimum", "maximum", "enum", "required", "sets",
                        "args", "data", "items", "forbidden_fields", "x"])
leaves = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=True),
                   st.text(max_size=10), st.sampled_from(["core/1", "a/1", "enum", "number",
                                                           "$args.x", "Cel"]))
docs = st.recursive(leaves, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                    st.dictionaries(keys, inner, max_size=4)),
                    max_leaves=25)


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(doc=docs, raw=st.text(max_size=80))
def test_lint_never_raises(tmp_path: Path, doc: object, raw: str) -> None:
    for i, text in enumerate((json.dumps(doc), raw)):  # JSON is YAML
        path = tmp_path / f"p{i}.yaml"
        path.write_text(text)
        findings = lint_profile(path)
        assert all(f.code.startswith("PROFILE-") for f in findings)
        try:
            load_profile(path)
        except ProfileError as exc:
            assert "\n" not in str(exc)


def test_an_endless_file_is_refused_unread() -> None:
    import pytest

    assert f"larger than {MAX_PROFILE_BYTES} bytes" in str(lint_profile("/dev/zero"))
    with pytest.raises(ProfileError, match="not a regular file"):
        load_profile("/dev/zero")
