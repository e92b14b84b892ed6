"""A fleet of simulated devices sharing one event loop, one PKI and one zeroconf instance.

```
async with Fleet({"env-sensor/1": 20, "smart-lock/1": 3}, "mqtt://127.0.0.1:1883",
                 ca_dir="sim-ca", faults={"no-ack": 1, "expired-cert": 1}, seed=7) as fleet:
    print(fleet.manifest)          # [{"urn", "profile", "faults"}, ...]
    print(fleet.trust_dir)         # the anchors a validator's --trust takes
```

Determinism: with a ``seed``, the URNs, the fault assignment, the device keys, the
values, events and timings are reproducible (certificate serials, validity times
and ECDSA signatures are not). Without one, keys come from the OS's CSPRNG.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devid._mqtt import MqttError, MqttSettings, load_settings, parse_url
from devid._profiles import Profile, load_profile
from devid._provision import generate_key, make_urn
from simulator._device import (
    DeviceIdentity,
    SimDevice,
    ranged_property,
    required_property,
    sensitive_target,
)
from simulator._faults import EVIL_NAME, FAULTS, Fault, parse_faults, showing
from simulator._link import LinkWatch, StopReport
from simulator._mdns import Advert, Advertiser
from simulator._pki import PEN, SimPki, derive_key, open_pki

ProfileRef = str | Profile


@dataclass(frozen=True, slots=True)
class DeviceSpec:
    """One device given explicitly (a home file does this): its profile, its fault or
    ``None``, its display name or ``None`` (``<Product> <serial>``). Such a device
    never receives one of the fleet's ``faults`` at random."""

    profile: ProfileRef
    fault: str | None = None
    name: str | None = None


ProfilesArg = ProfileRef | Mapping[str, int] | Sequence[tuple[ProfileRef, int] | DeviceSpec]

#: How many devices connect at the same time (keeps the broker's accept queue short).
CONNECT_CONCURRENCY = 48
#: Attempts to bring one device up before the fleet gives up.
START_ATTEMPTS = 3


class FleetError(ValueError):
    """The fleet cannot be built as asked (unknown profile, inapplicable fault, ...)."""


def product_name(profile: Profile) -> str:
    """``env-sensor`` → ``EnvSensor`` (the product part of the device URN)."""
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", profile.name)
                   if part) or "Device"


def applies(fault: Fault, profile: Profile) -> bool:
    """Whether ``fault`` can be shown by a device of ``profile``."""
    need = fault.requires
    if need is None:
        return True
    if need == "ranged-number":
        return ranged_property(profile) is not None
    if need == "required-property":
        return required_property(profile) is not None
    if need == "command":
        return bool(profile.commands)
    return sensitive_target(profile) is not None


@dataclass(frozen=True, slots=True)
class _Slot:
    profile: Profile
    fault: Fault | None = None  # pinned by a DeviceSpec
    name: str | None = None
    explicit: bool = False


def _expand(profiles: ProfilesArg, count: int | None,
            extra_dirs: Sequence[str | Path]) -> list[_Slot]:
    items: list[tuple[ProfileRef, int] | DeviceSpec]
    if isinstance(profiles, str | Profile):
        items = [(profiles, 1 if count is None else count)]
    elif isinstance(profiles, Mapping):
        items = list(profiles.items())
    else:
        items = list(profiles)
    out: list[_Slot] = []
    cache: dict[str, Profile] = {}

    def resolve(ref: ProfileRef) -> Profile:
        if isinstance(ref, Profile):
            profile = ref
        else:
            if ref not in cache:
                try:
                    cache[ref] = load_profile(ref, extra_dirs=extra_dirs)
                except ValueError as exc:
                    raise FleetError(str(exc)) from None
            profile = cache[ref]
        if profile.abstract:
            raise FleetError(f"profile {profile.id} is abstract: no device claims it directly")
        return profile

    for item in items:
        if isinstance(item, DeviceSpec):
            profile = resolve(item.profile)
            fault: Fault | None = None
            if item.fault is not None:
                fault = FAULTS.get(item.fault)
                if fault is None:
                    raise FleetError(f"unknown fault {item.fault!r} (known: "
                                     f"{', '.join(FAULTS)})")
                if not applies(fault, profile):
                    raise FleetError(f"fault {fault.name} does not fit {profile.id} "
                                     f"(it needs a {fault.requires})")
            out.append(_Slot(profile, fault, item.name, explicit=True))
            continue
        ref, n = item
        profile = resolve(ref)
        if n < 0:
            raise FleetError(f"{profile.id}: count must not be negative")
        out.extend([_Slot(profile)] * n)
    return out


def _assign_faults(slots: Sequence[_Slot], faults: Mapping[str, int],
                   rng: random.Random) -> list[Fault | None]:
    assigned: list[Fault | None] = [slot.fault for slot in slots]
    for name, k in faults.items():
        if k == 0:
            continue
        fault = FAULTS[name]
        candidates = [i for i, slot in enumerate(slots) if assigned[i] is None
                      and not slot.explicit and applies(fault, slot.profile)]
        if len(candidates) < k:
            fit = sorted({s.profile.id for s in slots if applies(fault, s.profile)})
            raise FleetError(
                f"fault {name}:{k} needs {k} healthy device(s) of a fitting profile, "
                f"{len(candidates)} left"
                + ("" if fit else f" (no profile of the fleet fits: it needs a {fault.requires})"))
        for i in sorted(rng.sample(candidates, k)):
            assigned[i] = fault
    return assigned


class Fleet:
    """Simulated devices on one broker (see the module docstring).

    ``broker_url`` may be left out here and given to :meth:`start`.
    ``profiles``: one profile id (with ``count``), ``{id: n}``, or ``[(id_or_Profile, n)]``.
    ``faults``: ``{name: k}`` or ``"name:k,..."``; each faulty device carries one fault.
    ``ca_dir``: the PKI directory (created on first use); ``None`` makes a temporary one,
    removed on exit. ``interval``: seconds between states (default: half the profile's
    heartbeat). ``mdns_interface``: the IP to advertise on, ``None`` for no mDNS.
    """

    def __init__(
        self,
        profiles: ProfilesArg,
        broker_url: str | None = None,
        *,
        count: int | None = None,
        ca_dir: str | os.PathLike[str] | None = None,
        faults: Mapping[str, int] | str | None = None,
        seed: int | None = None,
        interval: float | None = None,
        mdns_interface: str | None = "127.0.0.1",
        settings: MqttSettings | None = None,
        extra_profile_dirs: Sequence[str | Path] = (),
        connect_concurrency: int = CONNECT_CONCURRENCY,
    ) -> None:
        if broker_url is not None:
            try:
                parse_url(broker_url)
            except ValueError as exc:
                raise FleetError(str(exc)) from None
        if interval is not None and interval <= 0:
            raise FleetError("interval must be positive")
        try:
            fault_counts = parse_faults(faults) if isinstance(faults, str | None) else {
                k: int(v) for k, v in faults.items()}
        except ValueError as exc:
            raise FleetError(str(exc)) from None
        for name in fault_counts:
            if name not in FAULTS:
                raise FleetError(f"unknown fault {name!r} (known: {', '.join(FAULTS)})")
        self.broker_url = broker_url
        self.explicit_seed = seed is not None
        self.seed = seed if seed is not None else random.SystemRandom().getrandbits(32)
        self.interval = interval
        self.mdns_interface = mdns_interface
        self.settings = settings
        self.connect_concurrency = max(1, connect_concurrency)
        slots = _expand(profiles, count, extra_profile_dirs)
        self._profiles = [slot.profile for slot in slots]
        rng = random.Random(self.seed)
        self._faults = _assign_faults(slots, fault_counts, rng)
        self._prefix = f"{rng.getrandbits(24):06x}"
        self._plan: list[tuple[Profile, Fault | None, str, str]] = []
        self._names: list[str] = []
        for i, profile in enumerate(self._profiles):
            serial = f"{self._prefix}{i + 1:04d}"
            fault = self._faults[i]
            self._plan.append((profile, fault, serial,
                               make_urn(PEN, product_name(profile), serial)))
            self._names.append(EVIL_NAME if fault is not None and fault.evil_name else
                               slots[i].name or f"{product_name(profile)} {serial}")
        self._ca_dir = Path(ca_dir) if ca_dir is not None else None
        self._tmp: str | None = None
        self.pki: SimPki | None = None
        self.devices: list[SimDevice] = []
        self.twins: list[SimDevice] = []
        self._advertiser: Advertiser | None = None
        self._running = False
        #: Connection losses and reconnects of every device (set its ``listener``).
        self.link = LinkWatch()

    # -- ground truth ------------------------------------------------------------------

    def _interval(self, profile: Profile) -> float:
        return self.interval if self.interval is not None else profile.heartbeat_s / 2

    @property
    def manifest(self) -> list[dict[str, Any]]:
        """``[{"ecosystem": "devid", "id", "urn", "profile", "name", "faults": [...],
        "shows": {fault: {"when", "at_once", "every_s"}}}]``, one entry per device (URN);
        ``id`` is the URN; ``shows`` says when each fault shows (:func:`showing`)."""
        return [{"ecosystem": "devid", "id": urn, "urn": urn, "profile": profile.id,
                 "name": name, "faults": [fault.name] if fault is not None else [],
                 "shows": {} if fault is None else {fault.name: showing(
                     fault, self._interval(profile), profile.heartbeat_s)}}
                for (profile, fault, _serial, urn), name in zip(self._plan, self._names,
                                                               strict=True)]

    def write_manifest(self, path: str | os.PathLike[str]) -> None:
        Path(path).write_text(json.dumps(self.manifest, indent=2) + "\n", encoding="utf-8")

    @property
    def trust_dir(self) -> Path:
        """The folder of trust anchors (``--trust``) for this fleet's devices."""
        if self.pki is None:
            raise RuntimeError("the fleet is not started")
        return self.pki.trust_dir

    @property
    def all_devices(self) -> list[SimDevice]:
        return self.devices + self.twins

    def device(self, urn: str) -> SimDevice:
        for d in self.devices:
            if d.urn == urn:
                return d
        raise KeyError(urn)

    # -- building ----------------------------------------------------------------------

    def _build(self) -> None:
        if self._ca_dir is None:
            self._tmp = tempfile.mkdtemp(prefix="devid-sim-ca-")
            ca_dir = Path(self._tmp)
        else:
            ca_dir = self._ca_dir
        self.pki = pki = open_pki(ca_dir)
        settings = self.settings if self.settings is not None else load_settings()
        broker_url = self.broker_url
        assert broker_url is not None
        for i, ((profile, fault, serial, urn), name) in enumerate(zip(self._plan, self._names,
                                                                      strict=True)):
            rng = random.Random(f"{self.seed}:{i}")
            product = product_name(profile)
            key = derive_key(rng.getrandbits(256)) if self.explicit_seed else generate_key()
            creds = pki.issue(urn=urn, serial=serial, key=key,
                              expired=fault is not None and fault.cert == "expired",
                              untrusted=fault is not None and fault.cert == "untrusted")
            signer = key
            if fault is not None and fault.signing == "wrong-key":
                signer = derive_key(rng.getrandbits(256)) if self.explicit_seed else \
                    generate_key()
            identity = DeviceIdentity(urn, serial, creds, signer, PEN, product)
            interval = self._interval(profile)
            device = SimDevice(identity, profile, broker_url=broker_url,
                               interval=interval, rng=rng, display_name=name, fault=fault,
                               settings=settings, phase=rng.uniform(0, interval))
            device.link = self.link
            self.devices.append(device)
            if fault is not None and fault.twin:
                twin_rng = random.Random(f"{self.seed}:{i}:twin")
                twin = SimDevice(
                    identity, profile, broker_url=broker_url, interval=interval,
                    rng=twin_rng, display_name=name, fault=None, instance=1,
                    settings=settings, phase=twin_rng.uniform(0, interval))
                twin.link = self.link
                self.twins.append(twin)

    def _adverts(self) -> list[Advert]:
        assert self.broker_url is not None
        port = parse_url(self.broker_url).port
        out = []
        for d in self.all_devices:
            txt = {"txtvers": "1", "id": d.urn, "cls": d.profile.id, "vid": str(PEN),
                   "mq": self.broker_url, "tk": d.tk}
            out.append(Advert(d.display_name, txt, port))
        return out

    # -- running -----------------------------------------------------------------------

    async def start(self, broker_url: str | None = None) -> None:
        """Provision, connect every device (staggered), then advertise over mDNS.

        ``broker_url`` sets (or overrides) the broker given to the constructor.
        """
        if self._running:
            return
        if broker_url is not None:
            parse_url(broker_url)
            self.broker_url = broker_url
        if self.broker_url is None:
            raise FleetError("no broker URL: pass broker_url")
        await asyncio.to_thread(self._build)
        gate = asyncio.Semaphore(self.connect_concurrency)

        async def start_one(device: SimDevice) -> None:
            async with gate:
                for attempt in range(START_ATTEMPTS):
                    try:
                        await device.start()
                        return
                    except (MqttError, TimeoutError):
                        # a broker may drop a connection while many arrive at once
                        # (amqtt 0.12 does); try again a little later
                        if attempt == START_ATTEMPTS - 1:
                            raise
                        await asyncio.sleep(0.2 * (attempt + 1))

        self._running = True
        results = await asyncio.gather(*(start_one(d) for d in self.all_devices),
                                       return_exceptions=True)
        errors = [r for r in results if isinstance(r, BaseException)]
        if errors:
            await self.stop()
            raise errors[0]
        if self.mdns_interface is not None:
            self._advertiser = Advertiser(self.mdns_interface)
            try:
                await self._advertiser.start()
                await self._advertiser.register(self._adverts())
            except Exception:
                await self.stop()
                raise

    async def stop(self, *, graceful: bool = True) -> StopReport:
        """Withdraw the mDNS records, publish offline status and disconnect every device.

        Returns how many devices published their offline status (a device that is not
        connected to the broker cannot; a clone's twin is not counted).
        """
        advertiser, self._advertiser = self._advertiser, None
        if advertiser is not None:
            await advertiser.close()
        report = StopReport()
        if self._running:
            self._running = False
            everyone = self.all_devices
            results = await asyncio.gather(*(d.stop(graceful=graceful) for d in everyone),
                                           return_exceptions=True)
            ours = results[:len(self.devices)]
            report = StopReport(len(ours), sum(1 for r in ours if r is True))
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None
        return report

    async def __aenter__(self) -> Fleet:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- helpers for tests and demos ---------------------------------------------------

    def faulty(self, name: str) -> list[SimDevice]:
        """The devices carrying fault ``name``."""
        return [d for d in self.devices if d.fault is not None and d.fault.name == name]

    def healthy(self) -> list[SimDevice]:
        return [d for d in self.devices if d.fault is None]


def fleet_summary(devices: Iterable[SimDevice]) -> dict[str, int]:
    """Device count per profile id."""
    out: dict[str, int] = {}
    for d in devices:
        out[d.profile.id] = out.get(d.profile.id, 0) + 1
    return out


__all__ = ["CONNECT_CONCURRENCY", "DeviceSpec", "Fleet", "FleetError", "applies", "fleet_summary",
           "product_name"]
