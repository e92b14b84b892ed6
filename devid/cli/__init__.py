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
    "results",
    "demo",
    "audit",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="devid", prog_name="devid")
def cli() -> None:
    """devid: check the identity and the messages of smart-home and security devices.

    \b
    Identity:   devid ca ..., devid verify token|cose|cert|matter|id
    Profiles:   devid profile list|show|lint|schema, devid check CAPTURE
    Live:       devid simulate, devid record, devid scan, devid test
    Results:    devid results list|show|report
    Try it:     devid demo
    """


for _name in _MODULES:
    importlib.import_module(f"devid.cli.{_name}").register(cli)


# click >= 8.2 raises this for a group called without a command (older: prints help itself)
_NO_ARGS_IS_HELP: type[Exception] = getattr(click.exceptions, "NoArgsIsHelpError",
                                            type("_Never", (Exception,), {}))


def main(argv: list[str] | None = None) -> None:
    """Console entry point."""
    try:
        code = cli.main(args=argv, prog_name="devid", standalone_mode=False)
    except SystemExit:
        raise
    except click.UsageError as exc:  # one line, like every other devid error
        if isinstance(exc, _NO_ARGS_IS_HELP) and exc.ctx is not None:
            # a bare group: its usage line and the commands it has, not a page of help
            group = exc.ctx.command
            names = ", ".join(group.list_commands(exc.ctx)) \
                if isinstance(group, click.Group) else ""
            click.echo(exc.ctx.get_usage(), err=True)
            click.echo(f"devid: error: missing command ({names}) "
                       f"(see '{exc.ctx.command_path} --help')", err=True)
            sys.exit(EXIT_USAGE)
        where = exc.ctx.command_path if exc.ctx is not None else "devid"
        message = exc.format_message()
        if len(message) > 300:  # "unexpected extra arguments (...)" after a shell glob
            message = message[:297] + "..."
        click.echo(f"devid: error: {message} (see '{where} --help')", err=True)
        sys.exit(EXIT_USAGE)
    except click.ClickException as exc:
        click.echo(f"devid: error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except (KeyboardInterrupt, click.exceptions.Abort):
        click.echo("devid: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("DEVID_DEBUG"):
            raise
        click.echo(f"devid: error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    sys.exit(code if isinstance(code, int) else 0)
