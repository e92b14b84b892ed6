"""devid: smart-device identification and interoperability validator (devid/1).

The public API is what ``__all__`` lists; everything in ``devid._*`` modules is
private and may change.
"""

from __future__ import annotations

from devid._codes import REGISTRY
from devid._findings import CodeSpec, Finding, Severity, finding, has_errors

__all__ = [
    "REGISTRY",
    "CodeSpec",
    "Finding",
    "Severity",
    "finding",
    "has_errors",
]
