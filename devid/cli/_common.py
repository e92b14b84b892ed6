"""Helpers shared by the CLI modules: exit codes, errors, time and hex options."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import click

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print one line on stderr and exit (2: usage or I/O error)."""
    click.echo(f"devid: error: {message}", err=True)
    sys.exit(code)


def parse_at(value: str | None) -> datetime:
    """``--at ISO8601`` (naive means UTC); ``None`` means now."""
    if value is None:
        return datetime.now(UTC)
    try:
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        moment = datetime.fromisoformat(text)
    except ValueError:
        fail(f"--at: not an ISO 8601 date-time: {value!r}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def parse_hex(option: str, value: str | None) -> bytes | None:
    """A hex option (``--nonce``, ``--external-aad``); spaces and ``0x`` are allowed."""
    if value is None:
        return None
    text = value.strip().lower().removeprefix("0x").replace(" ", "").replace(":", "")
    try:
        return bytes.fromhex(text)
    except ValueError:
        fail(f"{option}: not hexadecimal: {value!r}")


def expand_inputs(paths: Iterable[str]) -> Iterator[Path]:
    """Each PATH; a directory stands for every regular file in it (sorted, not recursive)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = (p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
            yield from sorted(files)
        elif path.exists():
            yield path
        else:
            fail(f"{raw}: no such file or directory")


def read_input(path: Path) -> bytes:
    """Read a file given on the command line; an I/O error is a usage error (exit 2)."""
    try:
        return path.read_bytes()
    except OSError as exc:
        fail(f"{path}: {exc.strerror or exc}")


def emit_json(obj: Any) -> None:
    """One JSON object on one line of stdout."""
    click.echo(json.dumps(obj, separators=(",", ":"), ensure_ascii=False, default=str))
