"""Finding codes of device messages: topics, payloads, timing, profiles (spec §5-7)."""

from __future__ import annotations

from devid._findings import CodeSpec
from devid._findings import Severity as S

CODES: tuple[CodeSpec, ...] = (
    CodeSpec("MSG-CAPTURE-LINE", S.WARNING, "A capture line does not parse as a message record.", "devid-1 §6"),
)
