"""Live checks against running devices: proof of possession, the scan, the suite runner.

Pure parts: :func:`judge_possession` (the verdict on the answers to one challenge) and the
suite table (:func:`suite_for`). Transports and orchestration: :func:`async_scan`,
:func:`run_suite`, :func:`run_demo`.
"""

from __future__ import annotations

from devid.live._hooks import HookError, command_power_cycle
from devid.live._possession import (
    NONCE_SIZE,
    Possession,
    PossessionResult,
    Response,
    challenge_payload,
    judge_possession,
)
from devid.live._scan import ScanStats, async_scan, check_retained_token, scan
from devid.live._suite import (
    SuiteCase,
    command_args,
    devices_on_broker,
    route,
    run_suite,
    suite_for,
)

__all__ = [
    "NONCE_SIZE",
    "HookError",
    "Possession",
    "PossessionResult",
    "Response",
    "ScanStats",
    "SuiteCase",
    "async_scan",
    "challenge_payload",
    "check_retained_token",
    "command_args",
    "command_power_cycle",
    "devices_on_broker",
    "judge_possession",
    "route",
    "run_suite",
    "scan",
    "suite_for",
]
