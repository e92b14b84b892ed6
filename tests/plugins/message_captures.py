"""Build captures (spec §6) of devid/1 devices for the check engine's tests.

``Session`` encodes CBOR payloads and keeps seq, ts and receive times right, so a
test states only the one fault it is about::

    s = Session("smart-lock/1")
    s.healthy(duration=120)          # status, state every 30 s
    s.state({"locked": True, "battery": 200})   # the fault: MSG-RANGE
    result = s.check()
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import cbor2
import pytest

from devid._capture import CapturedMessage, CaptureHeader
from devid._check import CheckResult, check_lines, check_messages
from devid._profiles import Profile, example_value, load_profile

T0 = 1_700_000_000.0
LOCK_URN = "urn:dev:ops:32473-SmartLock-0001"
SENSOR_URN = "urn:dev:ops:32473-EnvSensor-0001"


class Session:
    """A capture under construction for one device (more with ``urn=``)."""

    def __init__(self, profile_id: str = "smart-lock/1", *, urn: str | None = None,
                 tls: bool | None = True, t0: float = T0, header: bool = True,
                 retain_inferred: bool = False) -> None:
        self.profile: Profile = load_profile(profile_id)
        self.urn = urn or (LOCK_URN if profile_id == "smart-lock/1" else SENSOR_URN)
        self.t = t0
        self.header = CaptureHeader(broker="mqtt://127.0.0.1:1883", tls=tls, started=t0,
                                    retain_inferred=retain_inferred) if header else None
        self.messages: list[CapturedMessage] = []
        self.seq: dict[str, int] = {}
        self.cmd_ids = 0

    # -- raw ---------------------------------------------------------------------------

    def raw(self, suffix: str, payload: bytes, *, retain: bool = False, dt: float = 0.0,
            urn: str | None = None, topic: str | None = None) -> None:
        self.t += dt
        full = topic if topic is not None else f"devid/1/{urn or self.urn}/{suffix}"
        self.messages.append(CapturedMessage(round(self.t, 6), full, payload, 1, retain,
                                             len(self.messages) + 2))

    def pub(self, suffix: str, value: Any, *, retain: bool | None = None, dt: float = 0.0,
            urn: str | None = None) -> None:
        if retain is None:
            retain = suffix in ("identity", "status", "state")
        self.raw(suffix, cbor2.dumps(value), retain=retain, dt=dt, urn=urn)

    def ts(self) -> int:
        return int(self.t * 1000)

    def next_seq(self, suffix: str, urn: str | None = None) -> int:
        key = f"{urn or self.urn}/{suffix}"
        n = self.seq.get(key, -1) + 1
        self.seq[key] = n
        return n

    # -- device messages ----------------------------------------------------------------

    def status(self, state: str = "online", *, dt: float = 0.0, **kw: Any) -> None:
        self.t += dt
        self.pub("status", {"state": state, "ts": self.ts()}, **kw)

    def props(self, **changes: Any) -> dict[str, Any]:
        """A valid full state of the profile (required properties), with changes."""
        out = {n: example_value(s) for n, s in self.profile.properties.items() if s.required}
        out.update(changes)
        return out

    def state(self, props: Mapping[str, Any] | None = None, *, dt: float = 0.0,
              seq: int | None = None, ts: int | None = None, **kw: Any) -> None:
        self.t += dt
        urn = kw.get("urn")
        value = {"ts": self.ts() if ts is None else ts,
                 "seq": self.next_seq("state", urn) if seq is None else seq,
                 "props": dict(props) if props is not None else self.props()}
        self.pub("state", value, **kw)

    def event(self, name: str, data: Mapping[str, Any] | None = None, *, dt: float = 0.0,
              seq: int | None = None, **kw: Any) -> None:
        self.t += dt
        value = {"ts": self.ts(), "seq": self.next_seq(f"event/{name}") if seq is None else seq,
                 "data": dict(data or {})}
        self.pub(f"event/{name}", value, **kw)

    def cmd(self, name: str, args: Mapping[str, Any] | None = None, *, dt: float = 0.0,
            cid: str | None = None, **kw: Any) -> str:
        self.t += dt
        if cid is None:
            self.cmd_ids += 1
            cid = f"c{self.cmd_ids}"
        self.pub(f"cmd/{name}", {"id": cid, "args": dict(args or {}), "ts": self.ts()}, **kw)
        return cid

    def ack(self, name: str, cid: str, *, ok: bool = True, dt: float = 0.2, **kw: Any) -> None:
        self.t += dt
        self.pub(f"cmd/{name}/ack", {"id": cid, "ok": ok, "ts": self.ts()}, **kw)

    # -- whole sessions -------------------------------------------------------------------

    def start(self, identity: bytes | None = None) -> None:
        """The retained topics a fresh subscription delivers (identity, status, state)."""
        if identity is not None:
            self.raw("identity", identity, retain=True)
        self.status("online", dt=0.01)
        self.state(dt=0.01)

    def healthy(self, duration: float = 120.0, *, identity: bytes | None = None) -> None:
        """A healthy session: retained topics, then state every heartbeat / 2."""
        self.start(identity)
        interval = self.profile.heartbeat_s / 2
        end = self.t + duration
        while self.t + interval <= end:
            self.state(dt=interval)

    # -- output ----------------------------------------------------------------------------

    def check(self, profile: str | None = None, **kw: Any) -> CheckResult:
        prof = load_profile(profile) if profile else self.profile
        return check_messages(self.messages, prof, header=self.header, **kw)

    def lines(self) -> list[str]:
        out = [json.dumps(self.header.to_json())] if self.header is not None else []
        out += [json.dumps(m.to_json()) for m in self.messages]
        return out

    def check_lines(self, **kw: Any) -> CheckResult:
        return check_lines(self.lines(), self.profile, **kw)

    def write(self, path: Path) -> Path:
        path.write_text("\n".join(self.lines()) + "\n")
        return path


def codes(result: CheckResult, *, severities: tuple[str, ...] = ("error", "warning")) -> list[str]:
    """The codes of a result's findings of the given severities, sorted."""
    return sorted(f.code for f in result.findings if f.severity.value in severities)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.fixture
def lock_session() -> Session:
    return Session("smart-lock/1")


@pytest.fixture
def sensor_session() -> Session:
    return Session("env-sensor/1")
