"""Capture files (spec §6): tolerant reading, strict writing."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

from devid._capture import CapturedMessage, CaptureHeader, CaptureWriter, read_capture


def test_written_capture_reads_back(tmp_path: Path) -> None:
    buf = io.StringIO()
    writer = CaptureWriter(buf, CaptureHeader(broker="mqtt://127.0.0.1:1", tls=False, started=1.0))
    msg = CapturedMessage(2.5, "devid/1/urn:dev:ops:1-a-b/state", b"\xa0", 1, True)
    writer.write(msg)
    path = tmp_path / "c.jsonl"
    path.write_text(buf.getvalue())
    cap = read_capture(path)
    assert cap.header is not None
    assert cap.header.broker == "mqtt://127.0.0.1:1"
    assert cap.header.tls is False
    assert cap.messages[0].payload == b"\xa0"
    assert cap.messages[0].retain is True
    assert cap.messages[0].line == 2
    assert cap.findings == []


def test_bad_lines_become_findings_and_reading_goes_on(tmp_path: Path) -> None:
    good = {"t": 1.0, "topic": "devid/1/x/state", "payload": base64.b64encode(b"\xa0").decode(),
            "qos": 0, "retain": True}
    lines = [
        "{not json",
        json.dumps([1, 2]),
        json.dumps({**good, "t": "soon"}),
        json.dumps({**good, "payload": "***"}),
        json.dumps({**good, "qos": 7}),
        json.dumps({**good, "retain": "yes"}),
        "[" * 100_000,
        "",
        json.dumps(good),
    ]
    path = tmp_path / "c.jsonl"
    path.write_bytes("\n".join(lines).encode() + b"\n\xff\xfe\n")
    cap = read_capture(path)
    assert len(cap.messages) == 1
    assert [f.code for f in cap.findings] == ["MSG-CAPTURE-LINE"] * 8
    assert {f.evidence["line"] for f in cap.findings} == {1, 2, 3, 4, 5, 6, 7, 10}
    assert all(f.severity.value == "warning" for f in cap.findings)
