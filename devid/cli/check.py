"""CLI module (not built yet): registers nothing."""

from __future__ import annotations

import click


def register(root: click.Group) -> None:
    """Add this module's commands to ``root``."""
