"""Output files of long commands, checked before the work starts.

A report path that cannot be written should stop ``devid test`` or ``devid scan``
before it spends minutes on devices, not after (when the results would be lost).
"""

from __future__ import annotations

import os
from pathlib import Path

from devid.cli._common import fail


def output_problem(path: str) -> str | None:
    """Why ``path`` cannot be written as a new or replaced file, or ``None``."""
    target = Path(path)
    if target.is_dir():
        return "is a directory"
    parent = target.parent
    if not parent.is_dir():
        return f"no such directory: {parent}"
    if target.exists() and not os.access(target, os.W_OK):
        return "not writable"
    if not target.exists() and not os.access(parent, os.W_OK | os.X_OK):
        return f"cannot create a file in {parent}"
    return None


def check_outputs(**files: str | None) -> None:
    """Fail (exit 2, one line) on the first unwritable ``--option FILE`` given.

    Keyword names are option names with ``_`` for ``-`` (``junit=...`` checks ``--junit``);
    ``None`` and ``-`` (stdout) are skipped.
    """
    for option, path in files.items():
        if path is None or path == "-":
            continue
        problem = output_problem(path)
        if problem is not None:
            fail(f"--{option.replace('_', '-')} {path}: {problem}")


__all__ = ["check_outputs", "output_problem"]
