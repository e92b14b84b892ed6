"""Fixtures for the Matter attestation tests: vector cases, the PAA store, CD signers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from devid.matter import CertStore


@dataclass(frozen=True)
class MatterCase:
    """One commissioner_dut vector, with the ids its device reports (README rules)."""

    name: str
    success: bool
    description: str
    dac: bytes
    pai: bytes
    cd: bytes
    dac_private_key: bytes
    reported_vid: int
    reported_pid: int
    raw: dict[str, Any]


def load_case(folder: Path) -> MatterCase:
    data = json.loads((folder / "test_case_vector.json").read_text())
    name = folder.name
    # README: basic_info_pid absent means 0x8000, except the fallback-encoding cases (0x00B1).
    default_pid = 0x00B1 if "fallback_encoding" in name else 0x8000
    return MatterCase(
        name=name,
        success=data["is_success_case"] == "true",
        description=data["description"],
        dac=bytes.fromhex(data["dac_cert"]),
        pai=bytes.fromhex(data["pai_cert"]),
        cd=bytes.fromhex(data["certification_declaration"]),
        dac_private_key=bytes.fromhex(data["dac_private_key"]),
        reported_vid=0xFFF1,
        reported_pid=int(data.get("basic_info_pid", default_pid)),
        raw=data,
    )


def iter_cases(matter_dir: Path) -> Iterator[MatterCase]:
    for folder in sorted((matter_dir / "commissioner_dut").iterdir()):
        if (folder / "test_case_vector.json").is_file():
            yield load_case(folder)


@pytest.fixture
def matter_cases(matter_vectors: Path) -> list[MatterCase]:
    return list(iter_cases(matter_vectors))


@pytest.fixture
def matter_case(matter_vectors: Path) -> Any:
    def get(name: str) -> MatterCase:
        return load_case(matter_vectors / "commissioner_dut" / name)

    return get


@pytest.fixture
def matter_paas(matter_vectors: Path) -> CertStore:
    """The PAA directory as a trust store (it also holds the test CD signing certificate)."""
    return CertStore.from_directory(matter_vectors / "paa")


@pytest.fixture
def matter_cd_signers(matter_vectors: Path, tmp_path: Path) -> CertStore:
    folder = tmp_path / "cd-signers"
    folder.mkdir()
    cert = (matter_vectors / "paa" / "Chip-Test-CD-Signing-Cert.pem").read_bytes()
    (folder / "cd-signer.pem").write_bytes(cert)
    return CertStore.from_directory(folder)
