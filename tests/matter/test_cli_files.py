"""``devid verify matter``: every file option with a missing file, a directory, garbage and an
empty file, judged by the rule in docs/matter.md ("Unusable files"):

- a path that is missing, of the wrong kind (file/directory) or unreadable: exit 2 and one
  line, ``devid: error: --opt PATH: reason``;
- the device's artefacts (--dac, --pai, --cd) that are readable: their content is judged, a
  finding and exit 1;
- the caller's trust inputs (--paa-store, --cd-signers, --revocation-set): unusable content
  is exit 2 with the reason.

Before the fix: a directory gave click's "Invalid value for '--dac': File ... is a
directory." (no option/path/reason shape), a missing file named no option, a garbage
revocation set printed the JSON decoder's "Expecting value: line 1 column 1 (char 0)", a
garbage CD asn1crypto's "Insufficient data - ... bytes" and a bad PEM CD exited 2.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from devid.cli import cli

AT = "2026-01-01T00:00:00Z"
KINDS = ("missing", "directory", "garbage", "empty")
LEAKS = ("Expecting value", "Insufficient data", "while parsing", "Traceback", "Invalid value")


@pytest.fixture
def paths(matter_case, matter_vectors: Path, tmp_path: Path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    case = matter_case("struct_cd_dac_origin_vid_pid_missing")
    out = {"paas": str(matter_vectors / "paa")}
    for key, data in (("dac", case.dac), ("pai", case.pai), ("cd", case.cd)):
        (tmp_path / f"{key}.der").write_bytes(data)
        out[key] = str(tmp_path / f"{key}.der")
    signers = tmp_path / "signers"
    signers.mkdir()
    (signers / "cd.pem").write_bytes(
        (matter_vectors / "paa" / "Chip-Test-CD-Signing-Cert.pem").read_bytes()
    )
    out["signers"] = str(signers)
    bad = {
        "missing": tmp_path / "nope.der",
        "directory": tmp_path / "a-directory",
        "garbage": tmp_path / "garbage",
        "empty": tmp_path / "empty",
    }
    bad["directory"].mkdir()
    bad["garbage"].write_bytes(b"garbage\n")
    bad["empty"].write_bytes(b"")
    out.update({kind: str(path) for kind, path in bad.items()})
    return out


def run(p: dict[str, str], option: str, value: str) -> tuple[int, str, str]:
    args = {
        "--dac": p["dac"], "--pai": p["pai"], "--paa-store": p["paas"], "--cd": p["cd"],
        "--cd-signers": p["signers"],
    }
    args[option] = value
    argv = ["verify", "matter", "--at", AT, "--json"]
    for key, val in args.items():
        argv += [key, val]
    if option == "--revocation-set":
        argv += [option, value]
    result = CliRunner().invoke(cli, argv)
    return result.exit_code, result.stdout, result.stderr


# (option, kind) -> expected: ("error", reason) or ("finding", code, message start)
EXPECTED: dict[tuple[str, str], tuple[str, ...]] = {}
for _opt in ("--dac", "--pai", "--cd"):
    _code = "MATTER-CD-MALFORMED" if _opt == "--cd" else "MATTER-CERT-MALFORMED"
    _who = "the CD" if _opt == "--cd" else _opt[2:].upper()
    EXPECTED[(_opt, "missing")] = ("error", "no such file or directory")
    EXPECTED[(_opt, "directory")] = ("error", "is a directory, not a file")
    EXPECTED[(_opt, "garbage")] = ("finding", _code,
                                   f"{_who} is not DER: it starts with 0x67, not a SEQUENCE")
    EXPECTED[(_opt, "empty")] = ("finding", _code, f"{_who} is empty")
for _opt in ("--paa-store", "--cd-signers"):
    EXPECTED[(_opt, "missing")] = ("error", "no such file or directory")
    EXPECTED[(_opt, "directory")] = ("error", "no certificates found (DER or PEM)")
    EXPECTED[(_opt, "garbage")] = ("error", "is not a directory")
    EXPECTED[(_opt, "empty")] = ("error", "is not a directory")
EXPECTED[("--revocation-set", "missing")] = ("error", "no such file or directory")
EXPECTED[("--revocation-set", "directory")] = ("error", "is a directory, not a file")
EXPECTED[("--revocation-set", "garbage")] = (
    "error", "not a revocation set: not JSON (syntax error at line 1, column 1)")
EXPECTED[("--revocation-set", "empty")] = ("error", "not a revocation set: empty document")


@pytest.mark.parametrize(("option", "kind"), sorted(EXPECTED))
def test_every_option_with_every_unusable_file(paths: dict[str, str], option: str,
                                               kind: str) -> None:
    code, out, err = run(paths, option, paths[kind])
    expected = EXPECTED[(option, kind)]
    assert not any(leak in out + err for leak in LEAKS), out + err
    if expected[0] == "error":
        assert code == 2 and out == ""
        assert err == f"devid: error: {option} {paths[kind]}: {expected[1]}\n"
    else:
        assert code == 1 and err == ""
        doc = json.loads(out)
        errors = [(f["code"], f["message"]) for f in doc["findings"] if f["severity"] == "error"]
        assert (expected[1], expected[2]) in errors, errors


def test_revocation_set_of_100000_brackets_is_one_line(paths: dict[str, str],
                                                       tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_bytes(b"[" * 100_000)
    code, _, err = run(paths, "--revocation-set", str(deep))
    assert code == 2
    assert err == f"devid: error: --revocation-set {deep}: not a revocation set: " \
                  "JSON nested too deeply\n"


def test_garbage_cd_gives_a_clear_reason(paths: dict[str, str], tmp_path: Path) -> None:
    cut = tmp_path / "cut.der"
    cut.write_bytes(Path(paths["cd"]).read_bytes()[:40])
    code, out, err = run(paths, "--cd", str(cut))
    assert code == 1 and err == ""
    messages = [f["message"] for f in json.loads(out)["findings"]]
    assert "the CD is truncated: the element at offset 0 claims 233 bytes, 37 remain" in messages


def test_bad_pem_cd_is_a_finding(paths: dict[str, str], tmp_path: Path) -> None:
    pem = tmp_path / "cd.pem"
    pem.write_bytes(b"-----BEGIN CMS-----\nMIIB\n")
    code, out, _ = run(paths, "--cd", str(pem))
    assert code == 1
    assert "the CD is PEM without an END line" in out


def test_oversized_files_are_read_with_a_bound(paths: dict[str, str], tmp_path: Path) -> None:
    """A huge DAC is a finding; only the limit plus one byte is read."""
    from devid.matter._certs import MAX_CERT_BYTES

    huge = tmp_path / "huge.der"
    huge.write_bytes(b"\x30" * (MAX_CERT_BYTES * 4))
    code, out, _ = run(paths, "--dac", str(huge))
    assert code == 1
    assert f"DAC larger than {MAX_CERT_BYTES} bytes" in out
