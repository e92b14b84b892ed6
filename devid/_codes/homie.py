"""Finding codes of the Homie convention 4 and 5 (HOMIE-*). Filled by the Homie validator."""

from __future__ import annotations

from devid._findings import CodeSpec

CODES: tuple[CodeSpec, ...] = ()
