"""The simulator's PKI (``--ca DIR``), created on first use and shared safely.

Layout (the ``devid ca`` layout of :mod:`devid._provision`, plus an untrusted branch)::

    DIR/root/            the root CA (key mode 0600)
    DIR/trust/root.pem   the trust anchor: what ``--trust DIR/trust`` reads
    DIR/vendors/Devid-Sim/   the vendor CA that issues healthy devices
    DIR/untrusted/root/, DIR/untrusted/vendors/Rogue-Sim/
                         a second root and vendor, never in trust/ (``untrusted-ca``)

Several simulate processes may share one DIR: creation and loading happen under an
exclusive ``flock`` on ``DIR/.lock``, and each part is created only when missing.
Device credentials are made in memory (never written).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec

from devid._provision import (
    CertificateAuthority,
    DeviceCredentials,
    PrivateKey,
    create_root,
    create_vendor_ca,
    issue_device,
    load_root,
    load_vendor,
    save_root,
    save_vendor,
)

VENDOR_NAME = "Devid-Sim"
ROGUE_VENDOR_NAME = "Rogue-Sim"
#: IANA PEN 32473 is reserved for documentation (RFC 5612).
PEN = 32473

_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


@dataclass(frozen=True)
class SimPki:
    """The CAs a fleet issues from; ``trust_dir`` holds the trust anchor(s)."""

    directory: Path
    root: CertificateAuthority
    vendor: CertificateAuthority
    rogue_vendor: CertificateAuthority

    @property
    def trust_dir(self) -> Path:
        return self.directory / "trust"

    def issue(self, *, urn: str, serial: str, key: PrivateKey, expired: bool = False,
              untrusted: bool = False) -> DeviceCredentials:
        """Device credentials; ``expired``: notAfter a day ago; ``untrusted``: rogue issuer."""
        vendor = self.rogue_vendor if untrusted else self.vendor
        if expired:
            now = datetime.now(UTC)
            return issue_device(vendor, urn=urn, serial=serial, key=key,
                                vendor_name=VENDOR_NAME,
                                not_before=now - timedelta(days=400),
                                not_after=now - timedelta(days=1))
        return issue_device(vendor, urn=urn, serial=serial, key=key, vendor_name=VENDOR_NAME)


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(directory / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _root_at(base: Path, name: str) -> CertificateAuthority:
    if (base / "root" / "cert.pem").exists():
        return load_root(base)
    root = create_root(name)
    save_root(base, root)
    return root


def _vendor_at(base: Path, root: CertificateAuthority, name: str) -> CertificateAuthority:
    if (base / "vendors" / name / "cert.pem").exists():
        return load_vendor(base, name)
    vendor = create_vendor_ca(root, name, pen=PEN)
    save_vendor(base, vendor)
    return vendor


def open_pki(directory: str | os.PathLike[str]) -> SimPki:
    """Load the simulator PKI at ``directory``, creating what is missing (under a lock).

    Raises ``OSError``/``ValueError`` when the directory holds unreadable CA files.
    """
    base = Path(directory)
    with _locked(base):
        root = _root_at(base, "Devid-Sim Root")
        vendor = _vendor_at(base, root, VENDOR_NAME)
        rogue_root = _root_at(base / "untrusted", "Rogue-Sim Root")
        rogue_vendor = _vendor_at(base / "untrusted", rogue_root, ROGUE_VENDOR_NAME)
        # untrusted/ must never look like a trust folder to --trust DIR
        with contextlib.suppress(FileNotFoundError):
            (base / "untrusted" / "trust" / "root.pem").unlink()
        with contextlib.suppress(OSError):
            (base / "untrusted" / "trust").rmdir()
    return SimPki(base, root, vendor, rogue_vendor)


def derive_key(seed_bits: int) -> ec.EllipticCurvePrivateKey:
    """A P-256 key derived from ``seed_bits`` (only with ``--seed``: reproducible fleets)."""
    return ec.derive_private_key(seed_bits % (_P256_ORDER - 1) + 1, ec.SECP256R1())


__all__ = ["PEN", "ROGUE_VENDOR_NAME", "VENDOR_NAME", "SimPki", "derive_key", "open_pki"]
