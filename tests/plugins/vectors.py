"""Access to ../shared/vectors (external conformance data, never copied here).

In CI (``CI=true``) a missing folder fails the test loudly; elsewhere it skips.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VECTORS = Path(os.environ.get("DEVID_VECTORS", ROOT.parent / "shared" / "vectors"))


def vectors_dir(*parts: str) -> Path:
    """The vectors folder ``parts``; fails in CI and skips elsewhere when it is missing."""
    path = VECTORS.joinpath(*parts)
    if not path.is_dir():
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"conformance vectors missing: {path}")
        pytest.skip(f"conformance vectors not found at {path}")
    return path


@pytest.fixture
def cose_wg_vectors() -> Path:
    return vectors_dir("cose-wg")


@pytest.fixture
def matter_vectors() -> Path:
    return vectors_dir("matter")
