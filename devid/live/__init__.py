"""Live checks against running devices: proof of possession, the scan, the suite runner.

Pure parts: :func:`judge_possession` (the verdict on the answers to one challenge) and the
suite table (:func:`suite_for`). Transports and orchestration: :func:`async_scan`,
:func:`run_suite`, :func:`run_demo`.
"""

from __future__ import annotations

from devid.live._possession import (
    NONCE_SIZE,
    Possession,
    PossessionResult,
    Response,
    challenge_payload,
    judge_possession,
)

__all__ = [
    "NONCE_SIZE",
    "Possession",
    "PossessionResult",
    "Response",
    "challenge_payload",
    "judge_possession",
]
