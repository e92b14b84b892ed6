"""``devid scan`` reports signed: the JSON on stdout (--sign-out) and the HTML file."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from devid.cli import cli

from ._lab import make_lab


def test_scan_json_and_html_are_signed_and_verify(mosquitto_url: str, tmp_path: Path) -> None:
    lab = make_lab(tmp_path)
    html, sig = tmp_path / "scan.html", tmp_path / "scan.json.cose"
    res = CliRunner().invoke(cli, [
        "scan", "--broker", mosquitto_url, "--interface", "127.0.0.1", "--timeout", "1",
        "--trust", str(lab.trust), "--json", "--html", str(html), "--sign-key", str(lab.key),
        "--sign-chain", str(lab.chain), "--sign-out", str(sig)])
    assert res.exit_code in (0, 1), res.output
    out = tmp_path / "scan.json"
    out.write_bytes(res.stdout_bytes)
    doc = json.loads(res.stdout)
    assert set(doc) == {"devices", "findings", "trace"}  # a signed scan carries its trace
    assert doc["trace"]["command"] == "devid scan" and doc["trace"]["trust_store"]["anchors"] == 1
    assert "time source: system clock" in html.read_text()
    for report, signature in ((out, sig), (html, Path(f"{html}.cose"))):
        ok = CliRunner().invoke(cli, ["verify", "report", str(report), "--signature",
                                      str(signature), "--trust", str(lab.trust)])
        assert ok.exit_code == 0, ok.output
        report.write_bytes(report.read_bytes().replace(b"devid", b"devId", 1))
        bad = CliRunner().invoke(cli, ["verify", "report", str(report), "--json", "--signature",
                                       str(signature), "--trust", str(lab.trust)])
        assert bad.exit_code == 1
        assert [f["code"] for f in json.loads(bad.stdout)["findings"]] == [
            "REPORT-SIGNATURE-INVALID"]
