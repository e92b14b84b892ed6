"""Scan a network from Python and print the inventory.

    python examples/scan_network.py --broker mqtt://192.168.1.10:1883 --trust ./trust

Finds devices over DNS-SD and on the MQTT broker, verifies each devid device's
identity token against the trust anchors, challenges it with a fresh nonce, and prints
one line per device. The same engine runs ``devid scan``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from devid import ChainValidator, TrustStore
from devid.live import async_scan


async def inventory(broker: str | None, trust: str | None, interface: str | None,
                    timeout: float) -> int:
    validator = ChainValidator(TrustStore.from_dir(trust)) if trust else None
    report = await async_scan(broker=broker, validator=validator, interface=interface,
                              timeout=timeout)
    print(f"{len(report.devices)} device(s) in {report.duration:.1f} s")
    for device in report.devices:
        rec, ident = device.record, device.identity
        possession = {True: "proven", False: "FAILED", None: "-"}[ident.possession]
        codes = sorted({f.code for f in device.findings})
        # record.name comes from the network: print it with repr() so that control
        # characters cannot reach the terminal
        print(f"{rec.ecosystem:8} {rec.profile or '-':22} {rec.id:45} {possession:7} "
              f"{','.join(rec.sources):10} {repr(rec.name)[:40]} {' '.join(codes)}")
    for f in report.findings:
        print(f"note: {f.code}: {f.message}")
    return 1 if report.has_errors else 0


def main() -> int:
    parser = argparse.ArgumentParser(description="Scan a network and print the inventory.")
    parser.add_argument("--broker", help="mqtt://host:port (default: the one devices advertise)")
    parser.add_argument("--trust", help="directory of trust anchor certificates")
    parser.add_argument("--interface", help="IP address of the interface to browse DNS-SD on")
    parser.add_argument("--timeout", type=float, default=5.0)
    args = parser.parse_args()
    return asyncio.run(inventory(args.broker, args.trust, args.interface, args.timeout))


if __name__ == "__main__":
    sys.exit(main())
