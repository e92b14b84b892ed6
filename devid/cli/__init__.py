"""The ``devid`` command: a thin shell over the library.

Each command group lives in its own module exposing ``register(root)``; this
module only assembles them and turns stray exceptions into one-line errors
(exit code 2). Set ``DEVID_DEBUG=1`` to see the traceback instead.
"""

from __future__ import annotations

import importlib
import os
import sys

import click

from devid.cli._common import EXIT_USAGE

# Order matters only where a module adds commands to another's group
# (verify_matter adds to the ``verify`` group).
_MODULES = (
    "ca",
    "verify",
    "verify_matter",
    "codes",
    "profile",
    "check",
    "simulate",
    "record",
    "scan",
    "test",
    "demo",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="devid", prog_name="devid")
def cli() -> None:
    """devid: check the identity and the messages of smart-home and security devices.

    \b
    Identity:   devid ca ..., devid verify token|cose|cert|matter
    Profiles:   devid profile list|show|lint|schema, devid check CAPTURE
    Live:       devid simulate, devid record, devid scan, devid test
    Try it:     devid demo
    """


for _name in _MODULES:
    importlib.import_module(f"devid.cli.{_name}").register(cli)


def main(argv: list[str] | None = None) -> None:
    """Console entry point."""
    try:
        cli.main(args=argv, prog_name="devid", standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        click.echo("devid: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("DEVID_DEBUG"):
            raise
        click.echo(f"devid: error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(EXIT_USAGE)
