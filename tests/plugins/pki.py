"""A generated devid/1 PKI for tests: root CA -> vendor CA -> device certificates.

Fixtures (keys are generated once per session, so they cost nothing per test):

``pki`` (session)
    :class:`TestPKI`: ``root``, ``vendor`` (PEN 32473, name "Acme"), ``device`` (P-256,
    ``urn:dev:ops:32473-SmartLock-0001``, serial ``0001``), ``now`` (a fixed validation
    time inside every certificate's validity), ``trust_dir`` (a directory holding
    ``root.pem``), ``trust`` (a :class:`devid._certs.TrustStore`), ``issue(...)`` for more
    devices and ``der(cert)``.
``foreign_pki`` (session)
    Another, unrelated PKI of the same shape (for "untrusted chain" tests).
``ca_dir`` (function)
    A fresh directory in the ``devid ca`` layout holding ``pki``'s root and vendor
    (``DIR/root/``, ``DIR/trust/root.pem``, ``DIR/vendors/Acme/``): what ``devid ca device``,
    ``devid ca fleet`` and the simulator's ``--ca DIR`` read.

Validity: CAs from 2020-01-01 to 2040-01-01; devices from 2020-01-01 with no expiry
(``99991231235959Z``). So both ``pki.now`` and the real current time validate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from devid._provision import (
    CertificateAuthority,
    DeviceCredentials,
    cert_pem,
    create_root,
    create_vendor_ca,
    issue_device,
    make_urn,
    save_root,
    save_vendor,
)

if TYPE_CHECKING:
    from devid._certs import TrustStore

PKI_NOT_BEFORE = datetime(2020, 1, 1, tzinfo=UTC)
PKI_NOT_AFTER = datetime(2040, 1, 1, tzinfo=UTC)
PKI_NOW = datetime(2026, 6, 1, 12, 0, 0, tzinfo=UTC)
PEN = 32473  # reserved for documentation (RFC 5612)
PRODUCT = "SmartLock"


@dataclass
class TestPKI:
    """A root, a vendor CA and one device; ``issue()`` makes more devices."""

    __test__ = False  # not a test class

    root: CertificateAuthority
    vendor: CertificateAuthority
    device: DeviceCredentials
    trust_dir: Path
    now: datetime = PKI_NOW
    pen: int = PEN
    product: str = PRODUCT
    _serial: int = field(default=1, repr=False)

    @property
    def trust(self) -> TrustStore:
        from devid._certs import TrustStore

        return TrustStore.from_certs([self.root.certificate])

    def issue(
        self,
        serial: str | None = None,
        *,
        product: str = PRODUCT,
        urn: str | None = None,
        vendor: CertificateAuthority | None = None,
        **kwargs: Any,
    ) -> DeviceCredentials:
        """A new device certificate under ``vendor`` (default: this PKI's vendor CA).

        ``serial`` defaults to a fresh one; ``urn`` to ``urn:dev:ops:32473-<product>-<serial>``;
        other keyword arguments go to :func:`devid._provision.issue_device` (``key_type``,
        ``key``, ``not_before``, ``not_after``, ``vendor_name``). notBefore defaults to 2020-01-01.
        """
        if serial is None:
            self._serial += 1
            serial = f"{self._serial:04d}"
        kwargs.setdefault("not_before", PKI_NOT_BEFORE)
        return issue_device(
            vendor or self.vendor,
            urn=urn or make_urn(self.pen, product, serial),
            serial=serial,
            **kwargs,
        )

    @staticmethod
    def der(cert: x509.Certificate) -> bytes:
        return cert.public_bytes(serialization.Encoding.DER)

    @staticmethod
    def pem(cert: x509.Certificate) -> bytes:
        return cert_pem(cert)


def build_pki(trust_dir: Path, *, name: str = "devid Test Root", vendor: str = "Acme") -> TestPKI:
    """A fresh PKI whose root certificate is written to ``trust_dir/root.pem``."""
    root = create_root(name, not_before=PKI_NOT_BEFORE, not_after=PKI_NOT_AFTER)
    vendor_ca = create_vendor_ca(
        root, vendor, pen=PEN, not_before=PKI_NOT_BEFORE, not_after=PKI_NOT_AFTER
    )
    device = issue_device(
        vendor_ca,
        urn=make_urn(PEN, PRODUCT, "0001"),
        serial="0001",
        not_before=PKI_NOT_BEFORE,
    )
    trust_dir.mkdir(parents=True, exist_ok=True)
    (trust_dir / "root.pem").write_bytes(cert_pem(root.certificate))
    return TestPKI(root=root, vendor=vendor_ca, device=device, trust_dir=trust_dir)


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPKI:
    return build_pki(tmp_path_factory.mktemp("pki") / "trust")


@pytest.fixture(scope="session")
def foreign_pki(tmp_path_factory: pytest.TempPathFactory) -> TestPKI:
    return build_pki(
        tmp_path_factory.mktemp("foreign-pki") / "trust", name="Foreign Root", vendor="Acme"
    )


@pytest.fixture
def ca_dir(tmp_path: Path, pki: TestPKI) -> Path:
    """A ``devid ca`` directory holding ``pki``'s root and vendor CA ("Acme")."""
    base = tmp_path / "ca"
    save_root(base, pki.root)
    save_vendor(base, pki.vendor)
    return base
