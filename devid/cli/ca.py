"""``devid ca init|vendor|device|fleet``: provision a root CA, vendor CAs and devices.

Thin: the certificates are made by :mod:`devid._provision`, the identity tokens by
:mod:`devid._token`. The directory layout is documented in docs/identity.md and in
:mod:`devid._provision`. Private keys are written with mode 0600; no option takes a secret.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from devid._provision import (
    CertificateAuthority,
    DeviceCredentials,
    check_vendor_name,
    create_vendor_ca,
    ensure_vendor,
    has_root,
    has_vendor,
    init_ca_dir,
    issue_device,
    list_vendors,
    load_root,
    load_vendor,
    make_urn,
    save_vendor,
    urn_filename,
)
from devid.cli._common import emit_json, fail

CA_KEY_TYPES = click.Choice(["p256", "p384"])
DEVICE_KEY_TYPES = click.Choice(["p256", "p384", "ed25519"])
DOC_PEN = 32473  # RFC 5612: reserved for documentation

_dir_argument = click.argument(
    "directory", metavar="DIR", type=click.Path(file_okay=False, path_type=Path)
)


def _say(quiet: bool, message: str) -> None:
    if not quiet:
        click.echo(message, err=True)


def _created_note(directory: Path, created: list[str], vendor: str) -> str | None:
    parts = []
    if "root" in created:
        parts.append(f"root CA in {directory / 'root'} (trust anchor {directory / 'trust'})")
    if "vendor" in created:
        parts.append(f"vendor CA {vendor!r} in {directory / 'vendors' / vendor}")
    return "created " + " and ".join(parts) if parts else None


def _token(
    creds: DeviceCredentials, *, pen: int | None, product: str, now: datetime, days: int | None
) -> bytes:
    from devid._token import create_token

    claims: dict[int, Any] = {}
    if pen is not None:
        claims[258] = pen  # oemid: the vendor's PEN
    hwmodel = product.encode("utf-8")[:32]
    if hwmodel:
        claims[259] = hwmodel  # hwmodel
    exp = now + timedelta(days=days) if days else None
    return create_token(
        creds.key, list(creds.chain), sub=creds.urn, iat=now, exp=exp, claims=claims
    )


def _write_device(
    creds: DeviceCredentials, token: bytes, device_dir: Path | None, tokens_dir: Path
) -> Path:
    if device_dir is not None:
        creds.save(device_dir)
        (device_dir / "token.cbor").write_bytes(token)
    tokens_dir.mkdir(parents=True, exist_ok=True)
    token_path = tokens_dir / f"{urn_filename(creds.urn)}.cbor"
    token_path.write_bytes(token)
    return token_path


def _os_error(exc: OSError) -> str:
    where = f"{exc.filename}: " if exc.filename else ""
    return f"{where}{exc.strerror or exc}"


@click.group("ca")
def ca_group() -> None:
    """Provision a test PKI: root CA, vendor CAs, devices (keys, certificates, tokens).

    \b
    Layout of DIR (reused by the simulator's --ca DIR):
      DIR/root/            root CA: cert.pem, key.pem (0600), ca.json
      DIR/trust/root.pem   trust anchor: use --trust DIR/trust with devid verify
      DIR/vendors/NAME/    vendor CA: cert.pem, key.pem (0600), ca.json (PEN)
      DIR/devices/URN/     key.pem (0600), cert.pem, chain.pem, token.cbor
      DIR/tokens/URN.cbor  every device's identity token
      DIR/revoked.json     revocation list written by devid ca revoke

    \b
    Quick start:  devid ca fleet demo --vendor Acme --create-vendor --count 100
                  devid verify token demo/tokens --trust demo/trust
    """


@ca_group.command("init")
@_dir_argument
@click.option("--name", default="devid Root CA", show_default=True,
              help="The root CA's name (subject O and CN).")
@click.option("--key-type", type=CA_KEY_TYPES, default="p256", show_default=True,
              help="The root CA's key: ECDSA P-256 or P-384. (Ed25519 CAs are not offered: "
                   "cryptography's path validation does not accept Ed25519 certificate "
                   "signatures.)")
@click.option("--force", is_flag=True, help="Replace an existing root CA (its vendors and "
              "devices no longer validate).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")
def init_cmd(directory: Path, name: str, key_type: str, force: bool, quiet: bool) -> None:
    """Create a root CA (trust anchor) in DIR."""
    if has_root(directory) and not force:
        fail(f"{directory}: a root CA already exists (use --force to replace it)")
    try:
        root = init_ca_dir(directory, name=name, key_type=key_type)
    except OSError as exc:
        fail(_os_error(exc))
    except ValueError as exc:
        fail(str(exc))
    _say(quiet, f"created root CA {root.name!r} in {directory / 'root'}; "
                f"trust anchor: {directory / 'trust' / 'root.pem'}")


@ca_group.command("vendor")
@_dir_argument
@click.option("--name", required=True,
              help="Vendor name: the vendor CA's subject O, and its directory DIR/vendors/NAME "
                   "(letters, digits, '.', '_', '-').")
@click.option("--pen", type=click.IntRange(min=1), required=True,
              help="The vendor's IANA Private Enterprise Number (used in device URNs "
                   "urn:dev:ops:PEN-product-serial and the token's oemid). 32473 is reserved "
                   "for documentation.")
@click.option("--key-type", type=CA_KEY_TYPES, default="p256", show_default=True,
              help="The vendor CA's key (and the root's, when DIR has none yet).")
@click.option("--force", is_flag=True, help="Replace an existing vendor CA of that name.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")
def vendor_cmd(directory: Path, name: str, pen: int, key_type: str, force: bool,  # noqa: PLR0917
               quiet: bool) -> None:
    """Create a vendor CA (intermediate, pathLen 0) under DIR's root CA.

    The root CA is created first when DIR has none.
    """
    try:
        if has_vendor(directory, name) and not force:
            fail(f"{directory}: vendor {name!r} already exists (use --force to replace it)")
        if not has_root(directory):
            init_ca_dir(directory, key_type=key_type)
            _say(quiet, f"created root CA in {directory / 'root'} "
                        f"(trust anchor {directory / 'trust' / 'root.pem'})")
        vendor = create_vendor_ca(load_root(directory), name, pen=pen, key_type=key_type)
        target = save_vendor(directory, vendor)
    except OSError as exc:
        fail(_os_error(exc))
    except ValueError as exc:
        fail(str(exc))
    _say(quiet, f"created vendor CA {name!r} (PEN {pen}) in {target}")


def _find_vendor(directory: Path, name: str, pen: int | None,
                 create: bool) -> tuple[CertificateAuthority | None, int]:
    """The existing vendor CA ``name`` (or ``None`` when ``create`` allows making it) and
    the PEN its devices' URNs use. Writes nothing."""
    try:
        check_vendor_name(name)
        if has_vendor(directory, name):
            vendor = load_vendor(directory, name)
        elif create:
            return None, pen or DOC_PEN
        else:
            known = list_vendors(directory)
            existing = (f"existing vendors: {', '.join(known)}" if known
                        else "it has no vendor CA yet")
            fail(f"{directory}: no vendor {name!r} ({existing}); pass --create-vendor to "
                 "create it")
    except OSError as exc:
        fail(_os_error(exc))
    except ValueError as exc:
        fail(str(exc))
    if pen is not None and vendor.pen is not None and pen != vendor.pen:
        fail(f"vendor {name!r} has PEN {vendor.pen}, not {pen}")
    return vendor, vendor.pen or pen or DOC_PEN


def _make_vendor(directory: Path, name: str, pen: int, quiet: bool) -> CertificateAuthority:
    """Create the vendor CA ``name`` (and the root CA when DIR has none) and say so."""
    try:
        vendor, created = ensure_vendor(directory, name, pen=pen, key_type="p256")
    except OSError as exc:
        fail(_os_error(exc))
    except ValueError as exc:
        fail(str(exc))
    note = _created_note(directory, created, name)
    if note:
        _say(quiet, note)
    return vendor


_DEVICE_FILES = ("key.pem", "cert.pem", "chain.pem", "token.cbor")


def _names_in(directory: Path | None) -> set[str]:
    if directory is None:
        return set()
    try:
        return set(os.listdir(directory))
    except OSError:
        return set()


def _existing_devices(urns: list[str], devices_dir: Path | None, tokens_dir: Path) -> list[str]:
    """The URNs whose token (in ``tokens_dir``) or device files (``devices_dir/URN``) exist;
    each directory is listed once."""
    tokens = _names_in(tokens_dir)
    devices = _names_in(devices_dir)
    found = []
    for urn in urns:
        name = urn_filename(urn)
        if f"{name}.cbor" in tokens or (
            devices_dir is not None and name in devices
            and any((devices_dir / name / f).exists() for f in _DEVICE_FILES)
        ):
            found.append(urn)
    return found


def _device_exists(device_dir: Path, tokens_dir: Path, urn: str) -> bool:
    """True when writing the device would replace one of its files."""
    if (tokens_dir / f"{urn_filename(urn)}.cbor").exists():
        return True
    return any((device_dir / name).exists() for name in _DEVICE_FILES)


_vendor_option = click.option(
    "--vendor", "vendor_name", required=True,
    help="The vendor CA (DIR/vendors/NAME). It must exist (devid ca vendor) unless "
         "--create-vendor is given.")
_create_vendor_option = click.option(
    "--create-vendor", is_flag=True,
    help="Create the vendor CA (and the root CA) when DIR has none of that name; without "
         "it, an unknown --vendor is an error (a typo does not make a new vendor).")
_pen_option = click.option(
    "--pen", type=click.IntRange(min=1), default=None,
    help=f"The vendor's IANA PEN when --create-vendor creates the vendor CA (default "
         f"{DOC_PEN}, reserved for documentation); must match an existing vendor's.")
_product_option = click.option(
    "--product", default="Device", show_default=True,
    help="Product name in the URN urn:dev:ops:PEN-PRODUCT-SERIAL (letters, digits, '._~'; "
         "no '-') and the token's hwmodel.")
_key_type_option = click.option(
    "--key-type", type=DEVICE_KEY_TYPES, default="p256", show_default=True,
    help="The device key (the token's alg: ES256, ES384 or EdDSA).")
_force_option = click.option(
    "--force", is_flag=True,
    help="Replace devices that already exist (their key, certificate and token); without "
         "it, an existing device is an error and nothing is written.")
_token_days_option = click.option(
    "--token-days", type=click.IntRange(min=1), default=None,
    help="Give tokens an exp this many days after issue (default: no exp).")


@ca_group.command("device")
@_dir_argument
@_vendor_option
@_create_vendor_option
@_product_option
@click.option("--serial", required=True, help="The device serial (subject serialNumber and "
              "the URN's last part; letters, digits, '._~-').")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write key.pem, cert.pem, chain.pem, token.cbor "
                   "(default DIR/devices/URN).")
@_pen_option
@_key_type_option
@_token_days_option
@_force_option
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object describing the device.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")
def device_cmd(directory: Path, vendor_name: str, create_vendor: bool, product: str,  # noqa: PLR0917
               serial: str, out: Path | None, pen: int | None, key_type: str,
               token_days: int | None, force: bool, as_json: bool, quiet: bool) -> None:
    """Provision one device: key (0600), certificate, chain and identity token.

    The token is also written to DIR/tokens/URN.cbor. The vendor CA must exist unless
    --create-vendor is given; an existing device is replaced only with --force.
    """
    quiet = quiet or as_json
    found, vendor_pen = _find_vendor(directory, vendor_name, pen, create_vendor)
    try:
        urn = make_urn(vendor_pen, product, serial)
    except ValueError as exc:
        fail(str(exc))
    device_dir = out or directory / "devices" / urn_filename(urn)
    if not force and _device_exists(device_dir, directory / "tokens", urn):
        fail(f"{urn}: the device already exists in {device_dir} (use --force to replace it)")
    vendor = found or _make_vendor(directory, vendor_name, vendor_pen, quiet)
    now = datetime.now(UTC)
    try:
        creds = issue_device(vendor, urn=urn, serial=serial, key_type=key_type)
        token = _token(creds, pen=vendor.pen, product=product, now=now, days=token_days)
        token_path = _write_device(creds, token, device_dir, directory / "tokens")
    except OSError as exc:
        fail(_os_error(exc))
    except ValueError as exc:
        fail(str(exc))
    if as_json:
        emit_json({"urn": urn, "serial": serial, "dir": str(device_dir),
                   "token": str(token_path), "trust": str(directory / "trust")})
    else:
        _say(quiet, f"{urn}: key, certificate, chain and token in {device_dir}")


@ca_group.command("fleet")
@_dir_argument
@_vendor_option
@_create_vendor_option
@click.option("--count", type=click.IntRange(min=1, max=1_000_000), required=True,
              help="How many devices to provision.")
@_product_option
@click.option("--start", type=click.IntRange(min=0), default=1, show_default=True,
              help="First serial number; serials are zero-padded to 6 digits (000001, ...).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Directory for the tokens (default DIR/tokens): verify them with "
                   "devid verify token OUT --trust DIR/trust.")
@click.option("--tokens-only", is_flag=True,
              help="Do not keep device keys and certificates (DIR/devices/...): faster, "
                   "but the devices cannot be simulated later.")
@_pen_option
@_key_type_option
@_token_days_option
@_force_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON summary object.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or messages.")
def fleet_cmd(directory: Path, vendor_name: str, create_vendor: bool, count: int,  # noqa: PLR0917
              product: str, start: int, out: Path | None, tokens_only: bool, pen: int | None,
              key_type: str, token_days: int | None, force: bool, as_json: bool,
              quiet: bool) -> None:
    """Provision COUNT devices of one vendor and write their identity tokens into one
    directory (DIR/tokens by default).

    The vendor CA must exist unless --create-vendor is given. When any of the devices
    already exists, nothing is written unless --force is given.
    """
    quiet = quiet or as_json
    found, vendor_pen = _find_vendor(directory, vendor_name, pen, create_vendor)
    tokens_dir = out or directory / "tokens"
    now = datetime.now(UTC)
    try:
        make_urn(vendor_pen, product, f"{start:06d}")
    except ValueError as exc:
        fail(str(exc))
    if not force:
        urns = [make_urn(vendor_pen, product, f"{n:06d}") for n in range(start, start + count)]
        existing = _existing_devices(urns, None if tokens_only else directory / "devices",
                                     tokens_dir)
        if existing:
            more = f" and {len(existing) - 1} more" if len(existing) > 1 else ""
            fail(f"{directory}: {len(existing)} of the {count} devices already exist "
                 f"({existing[0]}{more}); use --force to replace them")
    vendor = found or _make_vendor(directory, vendor_name, vendor_pen, quiet)

    def one(number: int) -> None:
        serial = f"{number:06d}"
        urn = make_urn(vendor_pen, product, serial)
        creds = issue_device(vendor, urn=urn, serial=serial, key_type=key_type)
        token = _token(creds, pen=vendor.pen, product=product, now=now, days=token_days)
        device_dir = None if tokens_only else directory / "devices" / urn_filename(urn)
        _write_device(creds, token, device_dir, tokens_dir)

    numbers = range(start, start + count)
    done = [0]

    def one_counted(number: int) -> None:
        one(number)
        done[0] += 1

    try:
        if quiet:
            for number in numbers:
                one_counted(number)
        else:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            columns = (TextColumn("[bold]provisioning"), BarColumn(), MofNCompleteColumn(),
                       TimeElapsedColumn())
            with Progress(*columns, console=Console(stderr=True)) as progress:
                task = progress.add_task("devices", total=count)
                for number in numbers:
                    one_counted(number)
                    progress.advance(task)
    except KeyboardInterrupt:
        nxt = start + done[0]
        partial = make_urn(vendor_pen, product, f"{nxt:06d}")
        existing = _existing_devices([partial], None if tokens_only else directory / "devices",
                                     tokens_dir)
        out_opt = "" if tokens_dir == directory / "tokens" else f" --out {tokens_dir}"
        extra = (" --tokens-only" if tokens_only else "") + (
            f" --key-type {key_type}" if key_type != "p256" else "") + (
            f" --product {product}" if product != "Device" else "") + (
            f" --token-days {token_days}" if token_days else "") + out_opt + (
            " --force" if existing else "")
        click.echo(f"devid: interrupted after {done[0]} of {count} devices; to continue: "
                   f"devid ca fleet {directory} --vendor {vendor_name} "
                   f"--count {count - done[0]} --start {nxt}{extra}", err=True)
        sys.exit(130)
    except OSError as exc:
        fail(_os_error(exc))
    except ValueError as exc:
        fail(str(exc))
    first = make_urn(vendor_pen, product, f"{start:06d}")
    if as_json:
        emit_json({"count": count, "vendor": vendor_name, "first": first,
                   "tokens": str(tokens_dir), "trust": str(directory / "trust"),
                   "devices": None if tokens_only else str(directory / "devices")})
    else:
        _say(quiet, f"{count} devices ({first} ...): tokens in {tokens_dir}")
        _say(quiet, f"verify them: devid verify token {tokens_dir} --trust {directory / 'trust'}")


@ca_group.command("revoke")
@_dir_argument
@click.option("--device", "urn", default=None,
              help="The URN of a device provisioned in DIR (reads DIR/devices/URN/cert.pem).")
@click.option("--cert", "cert_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="A device certificate file (PEM or DER) to revoke instead.")
@click.option("--file", "list_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="The revocation list to add to (default DIR/revoked.json).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")
def revoke_cmd(directory: Path, urn: str | None, cert_path: Path | None,
               list_path: Path | None, quiet: bool) -> None:
    """Add a device certificate to a JSON revocation list (spec §3).

    Use the list with: devid verify token ... --revoked DIR/revoked.json
    """
    import json

    from devid._certs import authority_key_identifier, load_certificates

    if (urn is None) == (cert_path is None):
        fail("give exactly one of --device URN and --cert FILE")
    source = cert_path or directory / "devices" / urn_filename(urn or "") / "cert.pem"
    if urn is not None and not source.is_file():
        fail(f"{directory}: no device with URN {urn!r} (looked for {source})")
    target = list_path or directory / "revoked.json"
    try:
        cert = load_certificates(source.read_bytes())[0]
    except OSError as exc:
        fail(_os_error(exc))
    except ValueError as exc:
        fail(f"{source}: {exc}")
    ski = authority_key_identifier(cert)
    if ski is None:
        fail(f"{source}: the certificate has no AuthorityKeyIdentifier to name its issuer")
    entry = {"issuer_ski": ski.hex(), "serial": f"{cert.serial_number:x}"}
    entries: list[Any] = []
    try:
        if target.exists():
            entries = json.loads(target.read_text(encoding="utf-8"))
            if not isinstance(entries, list):
                fail(f"{target}: not a JSON list")
        if entry not in entries:
            entries.append(entry)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(entries, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        fail(_os_error(exc))
    except ValueError as exc:
        fail(f"{target}: not JSON: {exc}")
    _say(quiet, f"revoked serial {entry['serial']} (issuer key {entry['issuer_ski']}) "
                f"in {target}")


def register(root: click.Group) -> None:
    """Add the ``ca`` group to ``root``."""
    root.add_command(ca_group)


__all__ = ["register"]
