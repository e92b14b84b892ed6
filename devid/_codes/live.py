"""Finding codes of this area (see devid._codes)."""

from __future__ import annotations

from devid._findings import CodeSpec

CODES: tuple[CodeSpec, ...] = ()
