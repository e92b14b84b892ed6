"""Write a custom profile (a vendor extension of smart-plug/1) and check messages against it.

    python examples/check_custom_profile.py [CAPTURE.jsonl]

The profile is ``examples/profiles/acme-smart-plug-1.yaml`` (``extends: smart-plug/1``).
With a capture file (from ``devid record``) the script checks it; without one it builds a
small capture in memory: one good device and one that breaks the extension's rules.
Exit code 0 when the capture is valid, 1 otherwise.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import cbor2

from devid import (
    CapturedMessage,
    check_capture,
    check_messages,
    lint_profile,
    load_profile,
    read_capture,
)

PROFILE_FILE = Path(__file__).resolve().parent / "profiles" / "acme-smart-plug-1.yaml"


def sample_capture() -> list[CapturedMessage]:
    now = time.time()
    ms = int(now * 1000)
    good = "urn:dev:ops:32473-AcmePlug-0001"
    bad = "urn:dev:ops:32473-AcmePlug-0002"
    props = {"on": True, "power": 42.0, "energy": 1.5, "accuracy_class": "1",
             "channel2_on": False, "power_factor": 0.95}
    return [
        CapturedMessage(now, f"devid/1/{good}/state",
                        cbor2.dumps({"ts": ms, "seq": 1, "props": props}), 1, True),
        CapturedMessage(now + 0.1, f"devid/1/{good}/event/surge",
                        cbor2.dumps({"ts": ms + 100, "seq": 1, "data": {"peak_v": 410.0}}),
                        1, False),
        # the second plug: no channel2_on (required by the extension), power_factor out of range
        CapturedMessage(now + 0.2, f"devid/1/{bad}/state",
                        cbor2.dumps({"ts": ms + 200, "seq": 1, "props": {
                            **{k: v for k, v in props.items() if k != "channel2_on"},
                            "power_factor": 1.7}}), 1, True),
    ]


def main(argv: list[str]) -> int:
    # 1. lint the document (schema, units, extends), then resolve it
    for f in lint_profile(PROFILE_FILE):
        print(f"lint: {f.severity.value} {f.code}: {f.message}")
    profile = load_profile(PROFILE_FILE)
    print(f"{profile.id} extends {' -> '.join(profile.lineage[1:])}; "
          f"{len(profile.properties)} properties, commands: {', '.join(profile.commands)}")

    # 2. check a capture against it
    if argv:
        result = check_capture(read_capture(argv[0]), profile)
    else:
        result = check_messages(sample_capture(), profile)
    print(f"{result.messages} message(s) from {len(result.devices)} device(s): "
          f"{'VALID' if result.valid else 'INVALID'}")
    for f in result.findings:
        print(f"  {f.severity.value:7} {f.code:22} {f.subject}: {f.message}")
    return 0 if result.valid else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
