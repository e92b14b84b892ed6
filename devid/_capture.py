"""Capture files (spec §6): JSON Lines, one MQTT message per line.

```
{"capture": 1, "broker": "mqtt://127.0.0.1:1883", "tls": false, "started": 1700000000.0}
{"t": 1700000000.25, "topic": "devid/1/<urn>/state", "payload": "<b64>", "qos": 1, "retain": true}
```

The header line is optional. Reading is tolerant: a line that does not parse
becomes a ``MSG-CAPTURE-LINE`` finding (with its line number) and reading goes
on. Writing is strict and flushes each line, so an interrupted recording keeps
everything received so far.

A payload larger than :data:`MAX_RECORDED` is written as a *marker line*: the message's
fields without ``payload``, with its ``size`` and ``sha256`` instead. Reading turns a
marker line, and any line too long to read (:data:`MAX_LINE`, skipped to its end), into a
``MSG-TOO-LARGE`` finding for the message's device; the lines after it are read as usual.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from devid._findings import Finding, finding

MAX_LINE = 1024 * 1024  # a line longer than this is not read into memory as JSON
#: Payloads larger than this are recorded as a marker line (size and SHA-256, no payload):
#: eight times the devid/1 limit of 64 KiB, so any finding about the payload's content
#: is still made; beyond it only the size matters.
MAX_RECORDED = 1024 * 1024 // 2
_LINE_HEAD = re.compile(
    rb'\{\s*"t"\s*:\s*(-?[0-9.eE+-]{1,32})\s*,\s*"topic"\s*:\s*"([^"\\]{1,1024})"')
_TOPIC_PREFIX = "devid/1/"
#: A line running this far without a newline cannot hold one MQTT message (at most
#: 268,435,455 bytes, base64 4/3 of that): not a capture (``/dev/zero``); reading ends.
MAX_SKIP = 400 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class CapturedMessage:
    """One MQTT message as received: receive time ``t`` (Unix seconds)."""

    t: float
    topic: str
    payload: bytes
    qos: int = 0
    retain: bool = False
    line: int = 0  # line number in the capture file (0 when not from a file)

    def to_json(self) -> dict[str, Any]:
        return {
            "t": self.t,
            "topic": self.topic,
            "payload": base64.b64encode(self.payload).decode("ascii"),
            "qos": self.qos,
            "retain": self.retain,
        }


@dataclass(frozen=True, slots=True)
class CaptureHeader:
    """The optional first line. ``retain_inferred``: the recorder could not see the
    publisher's retain flag (MQTT 3.1.1) and inferred it from a fresh subscription."""

    broker: str | None = None
    tls: bool | None = None
    started: float | None = None
    retain_inferred: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"capture": 1, "broker": self.broker, "tls": self.tls,
                               "started": self.started}
        if self.retain_inferred:
            out["retain_inferred"] = True
        out.update(self.extra)
        return out


@dataclass(frozen=True, slots=True)
class CaptureOutage:
    """An outage marker line: the recorder lost (``state="lost"``) or regained
    (``"regained"``) the broker at ``t``. Messages a device sent meanwhile never reached
    the recording: gaps across an outage are the recorder's, not the device's."""

    t: float
    state: str
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"t": self.t, "outage": self.state}
        if self.reason:
            out["reason"] = self.reason
        return out


@dataclass(slots=True)
class Capture:
    """A parsed capture: header (if any), messages in file order, line findings, outages."""

    header: CaptureHeader | None
    messages: list[CapturedMessage]
    findings: list[Finding]
    outages: list[CaptureOutage] = field(default_factory=list)


#: Receive times are Unix seconds a ``datetime`` can hold (years 1 to 9999): the check
#: verifies identity tokens as of the capture's start.
MIN_T = -62_135_596_800.0
MAX_T = 253_402_300_799.0


def unix_time(value: object) -> float | None:
    """``value`` as a receive time (a finite JSON number within years 1-9999), else None."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    if isinstance(value, int) and not MIN_T <= value <= MAX_T:
        return None  # (float() of a huge int raises OverflowError)
    t = float(value)
    return t if MIN_T <= t <= MAX_T else None  # False for NaN and the infinities


def _line_finding(lineno: int, why: str, source: str) -> Finding:
    return finding(
        "MSG-CAPTURE-LINE",
        f"line {lineno}: {why}",
        evidence={"line": lineno, "file": source},
    )


def parse_line(raw: str | bytes, lineno: int, source: str = ""
               ) -> CapturedMessage | CaptureOutage | Finding | None:
    """Parse one message line; ``None`` for a blank line, a finding for a bad one."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            return _line_finding(lineno, "not UTF-8", source)
    text = raw.strip()
    if not text:
        return None
    if len(text) > MAX_LINE:
        return _line_finding(lineno, f"line longer than {MAX_LINE} bytes", source)
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError):
        return _line_finding(lineno, "not a JSON object", source)
    if not isinstance(obj, dict):
        return _line_finding(lineno, "not a JSON object", source)
    topic, payload = obj.get("topic"), obj.get("payload")
    qos, retain = obj.get("qos", 0), obj.get("retain", False)
    t = unix_time(obj.get("t"))
    if t is None:
        return _line_finding(lineno, "'t' is not a number of Unix seconds (years 1-9999)",
                             source)
    outage = obj.get("outage")
    if outage is not None and topic is None:
        if outage not in ("lost", "regained"):
            return _line_finding(lineno, "'outage' is not \"lost\" or \"regained\"", source)
        reason = obj.get("reason")
        return CaptureOutage(t, outage, reason[:200] if isinstance(reason, str) else "")
    if not isinstance(topic, str) or not topic:
        return _line_finding(lineno, "'topic' is not a non-empty string", source)
    size = obj.get("size")
    if payload is None and isinstance(size, int) and not isinstance(size, bool) and size >= 0:
        digest = obj.get("sha256")
        return oversize_finding(t, topic, size, lineno, source,
                                sha256=digest[:64] if isinstance(digest, str) else None)
    if not isinstance(payload, str):
        return _line_finding(lineno, "'payload' is not a base64 string", source)
    if qos not in (0, 1, 2) or isinstance(qos, bool):
        return _line_finding(lineno, "'qos' is not 0, 1 or 2", source)
    if not isinstance(retain, bool):
        return _line_finding(lineno, "'retain' is not a boolean", source)
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        return _line_finding(lineno, "'payload' is not valid base64", source)
    return CapturedMessage(t, topic, data, int(qos), retain, lineno)


def _parse_header(obj: dict[str, Any]) -> CaptureHeader:
    broker = obj.get("broker")
    tls = obj.get("tls")
    started = obj.get("started")
    known = {"capture", "broker", "tls", "started", "retain_inferred"}
    return CaptureHeader(
        broker=broker if isinstance(broker, str) else None,
        tls=tls if isinstance(tls, bool) else None,
        started=unix_time(started),
        retain_inferred=obj.get("retain_inferred") is True,
        extra={k: v for k, v in obj.items() if k not in known},
    )


def oversize_finding(t: float | None, topic: str, size: int, lineno: int, source: str = "",
                     *, sha256: str | None = None, approximate: bool = False) -> Finding:
    """``MSG-TOO-LARGE`` for a message whose payload was too large to keep or read."""
    urn = None
    if topic.startswith(_TOPIC_PREFIX):
        urn = topic[len(_TOPIC_PREFIX):].split("/", 1)[0][:256] or None
    about = "about " if approximate else ""
    evidence: dict[str, Any] = {"topic": topic[:256], "size": size, "line": lineno}
    if sha256 is not None:
        evidence["sha256"] = sha256
    if source:
        evidence["file"] = source
    return finding("MSG-TOO-LARGE",
                   f"payload of {about}{size:,} bytes is larger than the 64 KiB limit "
                   f"(not kept in the capture, line {lineno})",
                   subject=urn, evidence=evidence, t=t)


def bounded_lines(fh: IO[bytes], source: str = "") -> Iterator[bytes | Finding]:
    """The lines of a capture file, none held in memory beyond ``MAX_LINE + 1`` bytes.

    A longer line is skipped to its end (up to :data:`MAX_SKIP`, past any MQTT message:
    beyond, the file is not a capture and reading ends with a finding) and stands as one
    finding in its place: ``MSG-TOO-LARGE`` for the message's device when its start names
    a topic (the payload's size estimated from the line's), else ``MSG-CAPTURE-LINE``.
    Reading goes on with the next line, so one huge message hides nothing after it.
    """
    readline = fh.readline
    lineno = 0
    while True:
        line = readline(MAX_LINE + 1)
        if not line:
            return
        lineno += 1
        if len(line) <= MAX_LINE or line.endswith(b"\n"):
            yield line
            continue
        head = _LINE_HEAD.match(line)
        skipped = len(line)
        while not line.endswith(b"\n"):
            line = readline(MAX_LINE + 1)
            if not line:
                break
            skipped += len(line)
            if skipped > MAX_SKIP:
                yield _line_finding(lineno, f"more than {MAX_SKIP:,} bytes without a newline, "
                                            "more than any MQTT message: not a capture; the "
                                            "rest of the file was not read", source)
                return
        t: float | None = None
        if head is not None:
            try:
                t = float(head.group(1))
                topic = head.group(2).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                head = None
        if head is not None and t is not None and t == t and abs(t) != float("inf"):  # noqa: PLR0124
            yield oversize_finding(t, topic, skipped * 3 // 4, lineno, source,
                                   approximate=True)
        else:
            yield _line_finding(lineno, f"line of {skipped:,} bytes, longer than {MAX_LINE:,}: "
                                        "skipped", source)


def iter_capture(lines: Iterable[str | bytes | Finding], source: str = "") -> Iterator[
        CaptureHeader | CapturedMessage | CaptureOutage | Finding]:
    """Stream a capture: the header (first line only), messages and line findings.

    ``lines`` may carry findings of the reading itself (:func:`bounded_lines`); they pass
    through in place.
    """
    for lineno, raw in enumerate(lines, start=1):
        if isinstance(raw, Finding):
            yield raw
            continue
        if lineno == 1:
            text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
            if '"capture"' in text:
                try:
                    obj = json.loads(text)
                except (ValueError, RecursionError):
                    obj = None
                if isinstance(obj, dict) and "capture" in obj:
                    yield _parse_header(obj)
                    continue
        item = parse_line(raw, lineno, source)
        if item is not None:
            yield item


def read_capture(path: str | Path) -> Capture:
    """Read a whole capture file. I/O errors raise ``OSError`` (the caller's file)."""
    path = Path(path)
    header: CaptureHeader | None = None
    messages: list[CapturedMessage] = []
    findings: list[Finding] = []
    outages: list[CaptureOutage] = []
    with path.open("rb") as fh:
        for item in iter_capture(bounded_lines(fh, str(path)), str(path)):
            if isinstance(item, CaptureHeader):
                header = item
            elif isinstance(item, CapturedMessage):
                messages.append(item)
            elif isinstance(item, CaptureOutage):
                outages.append(item)
            else:
                findings.append(item)
    return Capture(header, messages, findings, outages)


class CaptureWriter:
    """Write a capture line by line (header first), flushing after every line."""

    def __init__(self, fh: IO[str], header: CaptureHeader | None = None) -> None:
        self._fh = fh
        self.count = 0
        if header is not None:
            self._write(header.to_json())

    def _write(self, obj: dict[str, Any]) -> None:
        self._fh.write(json.dumps(obj, separators=(",", ":")) + "\n")
        self._fh.flush()

    def write_outage(self, outage: CaptureOutage) -> None:
        """An outage marker line (not counted as a message)."""
        self._write(outage.to_json())

    def write(self, message: CapturedMessage) -> None:
        if len(message.payload) > MAX_RECORDED:  # a marker line: size and hash, no payload
            self._write({"t": message.t, "topic": message.topic,
                         "size": len(message.payload),
                         "sha256": hashlib.sha256(message.payload).hexdigest(),
                         "qos": message.qos, "retain": message.retain})
        else:
            self._write(message.to_json())
        self.count += 1
