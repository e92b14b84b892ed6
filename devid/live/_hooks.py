"""A power-cycle hook made from a command line (``devid test --power-cycle CMD``).

A test rig cuts a device off with whatever it has: a switched outlet, a relay
board, a USB hub port, ``kill -9`` of a simulator. devid runs that command once
per device, after the device's other tests, so that the broker sees the
connection drop without a DISCONNECT and publishes the device's Last Will.

The command is split like a shell would (:func:`shlex.split`) but run without a
shell; ``{urn}`` in any argument becomes the device's URN, which is also in the
environment as ``DEVID_URN``. It must finish within ``timeout`` seconds with
exit status 0, else the ``lastwill`` case is an error naming what went wrong.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex

from devid.live._suite import PowerCycle

#: How long the command may take.
POWER_CYCLE_TIMEOUT_S = 30.0


class HookError(Exception):
    """The power-cycle command could not be run or did not succeed."""


def parse_hook(command: str) -> list[str]:
    """``command`` split into arguments; ValueError if it is empty or badly quoted."""
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise ValueError(f"cannot split {command!r}: {exc}") from None
    if not argv:
        raise ValueError("the command is empty")
    return argv


def command_power_cycle(command: str, *, timeout: float = POWER_CYCLE_TIMEOUT_S) -> PowerCycle:
    """A :data:`PowerCycle` that runs ``command`` (``{urn}`` replaced) for each device."""
    argv = parse_hook(command)

    async def power_cycle(urn: str) -> None:
        args = [a.replace("{urn}", urn) for a in argv]
        env = dict(os.environ, DEVID_URN=urn)
        try:
            proc = await asyncio.create_subprocess_exec(
                *args, env=env, stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        except OSError as exc:
            raise HookError(f"cannot run {args[0]!r}: {exc.strerror or exc}") from None
        try:
            _, err = await asyncio.wait_for(proc.communicate(), timeout)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
            raise HookError(f"{args[0]!r} did not finish within {timeout:g} s") from None
        if proc.returncode != 0:
            last = err.decode("utf-8", "replace").strip().splitlines()[-1:] if err else []
            detail = f": {last[0][:200]}" if last else ""
            raise HookError(f"{args[0]!r} exited with status {proc.returncode}{detail}")

    return power_cycle


__all__ = ["POWER_CYCLE_TIMEOUT_S", "HookError", "command_power_cycle", "parse_hook"]
