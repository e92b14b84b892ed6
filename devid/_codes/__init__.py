"""The registry of every finding code devid can emit.

Each area of the standard keeps its table in its own module (identity,
messages, discovery and live checks, Matter); this package joins them into the
one :data:`REGISTRY`. A code appears exactly once; ``tests/test_codes.py``
guards that, and ``devid codes`` prints the table.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from devid._codes import ha, homie, identity, live, matter, message, report, security
from devid._findings import CodeSpec


def _build() -> Mapping[str, CodeSpec]:
    table: dict[str, CodeSpec] = {}
    for module in (identity, message, live, matter, ha, homie, report, security):
        for spec in module.CODES:
            if spec.code in table:
                raise RuntimeError(f"finding code {spec.code} registered twice")
            table[spec.code] = spec
    return MappingProxyType(table)


REGISTRY: Mapping[str, CodeSpec] = _build()

__all__ = ["REGISTRY"]
