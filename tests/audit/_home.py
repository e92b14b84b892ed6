"""A test home for ``devid audit``: Mosquitto instances and TLS endpoints on loopback.

Everything is real: Mosquitto child processes configured by the test (mosquitto.conf
files in tmp_path), a test CA made with cryptography (private keys written 0600), and
TLS servers built on Python's ``ssl`` (OpenSSL) for the endpoints Mosquitto cannot be
made to serve (TLS 1.0 only, an expired or a weak certificate).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from devid._broker import find_mosquitto, free_port

NOW = dt.datetime.now(dt.UTC)


def write_private(path: Path, data: bytes) -> Path:
    """Write a key file readable by its owner only (0600)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(path, 0o600)
    return path


def _key_pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


@dataclass
class Pki:
    """A test CA and the server certificates issued from it (PEM files in ``root``)."""

    root: Path
    ca_key: ec.EllipticCurvePrivateKey
    ca_cert: x509.Certificate

    @property
    def ca_file(self) -> str:
        return str(self.root / "ca.pem")

    @classmethod
    def create(cls, root: Path) -> Pki:
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "devid audit test CA")])
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(NOW - dt.timedelta(days=1))
                .not_valid_after(NOW + dt.timedelta(days=365))
                .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                .add_extension(x509.KeyUsage(False, False, False, False, False, True, True,
                                             False, False), critical=True)
                .sign(key, hashes.SHA256()))
        (root / "ca.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        write_private(root / "ca.key", _key_pem(key))
        return cls(root, key, cert)

    def server(self, name: str, *, names: tuple[str, ...] = ("localhost", "127.0.0.1"),
               expired: bool = False, self_signed: bool = False, rsa_bits: int | None = None,
               ) -> tuple[str, str]:
        """Issue a server certificate; returns (cert PEM path, key PEM path)."""
        key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
        key = rsa.generate_private_key(65537, rsa_bits) if rsa_bits else \
            ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        sans: list[x509.GeneralName] = []
        for n in names:
            try:
                sans.append(x509.IPAddress(ipaddress.ip_address(n)))
            except ValueError:
                sans.append(x509.DNSName(n))
        start, end = (NOW - dt.timedelta(days=60), NOW - dt.timedelta(days=1)) if expired \
            else (NOW - dt.timedelta(days=1), NOW + dt.timedelta(days=200))
        builder = (x509.CertificateBuilder().subject_name(subject)
                   .issuer_name(subject if self_signed else self.ca_cert.subject)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(start).not_valid_after(end)
                   .add_extension(x509.SubjectAlternativeName(sans), critical=False)
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None),
                                  critical=True))
        cert = builder.sign(key if self_signed else self.ca_key, hashes.SHA256())
        cert_path = self.root / f"{name}.pem"
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path = write_private(self.root / f"{name}.key", _key_pem(key))
        return str(cert_path), str(key_path)


def _wait_port(port: int, proc: subprocess.Popen[bytes] | None, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
            raise RuntimeError(f"mosquitto exited ({proc.returncode}): {out[-2000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


@contextlib.contextmanager
def mosquitto(tmp: Path, name: str, config: str) -> Iterator[int]:
    """Run Mosquitto with ``config`` (``{port}`` is filled in) on a free loopback port."""
    exe = find_mosquitto()
    assert exe is not None
    port = free_port()
    conf = tmp / f"{name}.conf"
    head = "user root\n" if os.geteuid() == 0 else ""  # keep access to the test's files
    conf.write_text(head + "persistence false\nlog_dest stdout\n"
                    + config.format(port=port), encoding="utf-8")
    proc = subprocess.Popen([exe, "-c", str(conf)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        _wait_port(port, proc)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout:
            proc.stdout.close()


def password_file(path: Path, users: dict[str, str]) -> Path:
    """A Mosquitto password file, by ``mosquitto_passwd -b`` (when installed) or written in
    its format ($7$: PBKDF2-SHA512, 101 iterations, base64 salt and hash)."""
    exe = shutil.which("mosquitto_passwd") or (
        "/usr/bin/mosquitto_passwd" if Path("/usr/bin/mosquitto_passwd").exists() else None)
    path.unlink(missing_ok=True)
    if exe:
        for i, (user, pw) in enumerate(users.items()):
            args = [exe, "-b"] + (["-c"] if i == 0 else []) + [str(path), user, pw]
            subprocess.run(args, check=True, capture_output=True)
    else:
        import base64
        import hashlib

        lines = []
        for user, pw in users.items():
            salt = os.urandom(12)
            digest = hashlib.pbkdf2_hmac("sha512", pw.encode(), salt, 101)
            lines.append(f"{user}:$7$101${base64.b64encode(salt).decode()}$"
                         f"{base64.b64encode(digest).decode()}")
        path.write_text("\n".join(lines) + "\n")
    os.chmod(path, 0o600)
    return path


class TlsServer:
    """A TLS endpoint on 127.0.0.1 served by Python's ssl (OpenSSL): it completes the
    handshake and closes. ``versions`` limits the protocol versions it accepts."""

    def __init__(self, cert: str, key: str, *, minimum: ssl.TLSVersion | None = None,
                 maximum: ssl.TLSVersion | None = None, seclevel0: bool = False) -> None:
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        if seclevel0:
            self.ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        if minimum is not None:
            self.ctx.minimum_version = minimum
        if maximum is not None:
            self.ctx.maximum_version = maximum
        self.ctx.load_cert_chain(cert, key)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port: int = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(5)
            with contextlib.suppress(OSError), conn, \
                    self.ctx.wrap_socket(conn, server_side=True) as tls:
                tls.recv(1)

    def __enter__(self) -> TlsServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self.sock.close()


def tls10_problem(port: int) -> str | None:
    """Why a TLS 1.0 handshake with 127.0.0.1:``port`` fails on this machine (``None``:
    it succeeds), by trying one with Python's ssl."""
    if not ssl.HAS_TLSv1:
        return f"the local OpenSSL ({ssl.OPENSSL_VERSION}) was built without TLS 1.0"
    try:
        client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        client.check_hostname = False
        client.verify_mode = ssl.CERT_NONE
        client.set_ciphers("DEFAULT:@SECLEVEL=0")
        client.minimum_version = client.maximum_version = ssl.TLSVersion.TLSv1
        with socket.create_connection(("127.0.0.1", port), 5) as raw, \
                client.wrap_socket(raw) as tls:
            assert tls.version() == "TLSv1"
    except (ValueError, ssl.SSLError, OSError) as exc:
        return f"the local OpenSSL ({ssl.OPENSSL_VERSION}) cannot make a TLS 1.0 handshake: {exc}"
    return None
