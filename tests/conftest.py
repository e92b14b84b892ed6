"""Shared test configuration.

Fixtures live in ``tests/plugins/*.py`` (one module per area: PKI, broker,
vectors, ...); every module there is loaded as a pytest plugin.
"""

from __future__ import annotations

from pathlib import Path

pytest_plugins = sorted(
    f"tests.plugins.{p.stem}"
    for p in (Path(__file__).parent / "plugins").glob("*.py")
    if p.stem != "__init__"
)
