"""A simulated home: devid/1, Home Assistant and Homie devices of several profiles in one
process, on one broker, with the faults a home file (or the command line) gives them.

```yaml
# home.yaml (devid simulate --home home.yaml)
seed: 7                     # optional: reproducible ids, fault targets and values
interval: 5                 # optional: seconds between state messages
devices:
  - {profile: smart-lock/1, ecosystem: ha, count: 2, name: Front door,
     faults: [ha-unit-class]}
  - {profile: env-sensor/1, ecosystem: homie, faults: [homie-never-ready]}
  - {profile: smart-plug/1, count: 3}                       # ecosystem devid (default)
  - {profile: smart-lock/1, name: Back door, faults: [no-ack]}
```

Every device of an entry carries all the entry's faults (a devid/1 device at most one).
``Home.manifest`` lists each device with its ecosystem, the id a validator gives it
(the URN, ``ha:<identifier>``, ``homie:homie/<device id>``), its profile, name and
faults, and for HA and Homie devices where each fault shows (``details``).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr
from pydantic import ValidationError as _PydanticError

from devid._mqtt import MqttError, MqttSettings, load_settings, parse_url
from devid._profiles import Profile, load_profile
from simulator._ecosystems import (
    HaSimDevice,
    HomieSimDevice,
    _EcoDevice,
    bad_homie_id,
    eco_applies,
)
from simulator._faults import (
    FAULTS,
    HA_FAULTS,
    HOMIE_FAULTS,
    EcoFault,
    eco_showing,
    parse_eco_faults,
)
from simulator._fleet import (
    CONNECT_CONCURRENCY,
    START_ATTEMPTS,
    DeviceSpec,
    Fleet,
    FleetError,
    applies,
    product_name,
)
from simulator._link import LinkWatch, StopReport

Ecosystem = Literal["devid", "ha", "homie"]
ECOSYSTEMS: tuple[Ecosystem, ...] = ("devid", "ha", "homie")
#: A home file larger than this is refused unread.
MAX_HOME_BYTES = 1024 * 1024


class HomeError(FleetError):
    """A home file or entry that cannot be run (one-line message)."""


class HomeEntry(BaseModel):
    """One line of a home file: ``count`` devices of ``profile`` in ``ecosystem``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    profile: StrictStr = Field(description="Profile id (smart-lock/1) or a profile file.")
    ecosystem: Ecosystem = Field("devid", description="devid, ha or homie.")
    count: StrictInt = Field(1, ge=1, le=10_000)
    name: StrictStr | None = Field(None, min_length=1, max_length=64,
                                   description="Display name (numbered when count > 1).")
    faults: tuple[StrictStr, ...] = Field((), description="Faults every device of the "
                                          "entry carries (a devid/1 device at most one).")


class HomeFile(BaseModel):
    """A home file (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    devices: tuple[HomeEntry, ...] = Field(min_length=1)
    seed: StrictInt | None = None
    interval: float | None = Field(None, gt=0, le=86_400)


def _where(loc: Sequence[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "document"


def load_home(path: str | os.PathLike[str]) -> HomeFile:
    """Read and validate a home file; :class:`HomeError` (one line) when it is not one."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    where = str(path)
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_HOME_BYTES + 1)
    except OSError as exc:
        raise HomeError(f"{where}: {exc.strerror or exc}") from None
    if len(raw) > MAX_HOME_BYTES:
        raise HomeError(f"{where}: larger than {MAX_HOME_BYTES} bytes: not a home file")
    try:
        data = YAML(typ="safe").load(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise HomeError(f"{where}: not UTF-8 text") from None
    except (YAMLError, RecursionError, ValueError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise HomeError(f"{where}: invalid YAML: {first}") from None
    if not isinstance(data, Mapping):
        raise HomeError(f"{where}: a home file is a YAML mapping with a 'devices' list")
    try:
        home = HomeFile.model_validate(data)
    except _PydanticError as exc:
        err = exc.errors()[0]
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise HomeError(f"{where}: {_where(err['loc'])}: {err['msg']}{more}") from None
    return home


def _check_faults(entry: HomeEntry, profile: Profile, index: int) -> list[EcoFault]:
    at = f"devices[{index}].faults"
    if entry.ecosystem == "devid":
        if len(entry.faults) > 1:
            raise HomeError(f"{at}: a devid/1 device carries at most one fault")
        for name in entry.faults:
            fault = FAULTS.get(name)
            if fault is None:
                other = " (an HA/Homie fault)" if name in HA_FAULTS or name in HOMIE_FAULTS \
                    else ""
                raise HomeError(f"{at}: unknown devid fault {name!r}{other} (known: "
                                f"{', '.join(FAULTS)})")
            if not applies(fault, profile):
                raise HomeError(f"{at}: {name} does not fit {profile.id} (it needs a "
                                f"{fault.requires})")
        return []
    table = HA_FAULTS if entry.ecosystem == "ha" else HOMIE_FAULTS
    out: list[EcoFault] = []
    for name in dict.fromkeys(entry.faults):
        eco_fault = table.get(name)
        if eco_fault is None:
            raise HomeError(f"{at}: unknown {entry.ecosystem} fault {name!r} (known: "
                            f"{', '.join(table)})")
        if not eco_applies(eco_fault, profile):
            raise HomeError(f"{at}: {name} does not fit {profile.id} (it needs a "
                            f"{eco_fault.requires})")
        out.append(eco_fault)
    return out


class Home:
    """Devices of several profiles and ecosystems on one broker (see the module docstring).

    ``entries``: a :class:`HomeFile` or its entries. ``seed`` and ``interval`` override
    the file's. The devid/1 devices run as one :class:`~simulator.Fleet` (one PKI,
    mDNS on ``mdns_interface``); HA and Homie devices need neither.
    """

    def __init__(
        self,
        entries: HomeFile | Sequence[HomeEntry],
        broker_url: str | None = None,
        *,
        ca_dir: str | os.PathLike[str] | None = None,
        seed: int | None = None,
        interval: float | None = None,
        mdns_interface: str | None = "127.0.0.1",
        settings: MqttSettings | None = None,
        extra_profile_dirs: Sequence[str | Path] = (),
        ha_prefix: str = "homeassistant",
        connect_concurrency: int = CONNECT_CONCURRENCY,
    ) -> None:
        if isinstance(entries, HomeFile):
            seed = seed if seed is not None else entries.seed
            interval = interval if interval is not None else entries.interval
            entries = entries.devices
        if broker_url is not None:
            try:
                parse_url(broker_url)
            except ValueError as exc:
                raise HomeError(str(exc)) from None
        if interval is not None and interval <= 0:
            raise HomeError("interval must be positive")
        self.broker_url = broker_url
        self.seed = seed if seed is not None else random.SystemRandom().getrandbits(32)
        self.interval = interval
        self.settings = settings
        self.connect_concurrency = max(1, connect_concurrency)
        self.entries = tuple(entries)
        profiles: dict[str, Profile] = {}
        specs: list[DeviceSpec] = []
        plan: list[tuple[Ecosystem, Profile, str | None, list[EcoFault]]] = []
        for index, entry in enumerate(self.entries):
            if entry.profile not in profiles:
                try:
                    profiles[entry.profile] = load_profile(entry.profile,
                                                           extra_dirs=extra_profile_dirs)
                except ValueError as exc:
                    raise HomeError(f"devices[{index}].profile: {exc}") from None
            profile = profiles[entry.profile]
            if profile.abstract:
                raise HomeError(f"devices[{index}].profile: {profile.id} is abstract: no "
                                "device claims it directly")
            eco_faults = _check_faults(entry, profile, index)
            for k in range(entry.count):
                name = entry.name if entry.name is None or entry.count == 1 else \
                    f"{entry.name} {k + 1}"
                if entry.ecosystem == "devid":
                    specs.append(DeviceSpec(profile, entry.faults[0] if entry.faults else None,
                                            name))
                else:
                    plan.append((entry.ecosystem, profile, name, eco_faults))
        self.fleet: Fleet | None = None
        #: Connection losses and reconnects of every device (set its ``listener``).
        self.link = LinkWatch()
        if specs:
            self.fleet = Fleet(specs, broker_url, ca_dir=ca_dir, seed=self.seed,
                               interval=interval, mdns_interface=mdns_interface,
                               settings=settings, extra_profile_dirs=extra_profile_dirs)
            self.fleet.link = self.link
        rng = random.Random(f"{self.seed}:home")
        prefix = f"{rng.getrandbits(24):06x}"
        self.devices: list[_EcoDevice] = []
        for i, (ecosystem, profile, name, eco_faults) in enumerate(plan):
            serial = f"{prefix}{i + 1:04d}"
            device_rng = random.Random(f"{self.seed}:{ecosystem}:{i}")
            fault_names = {f.name for f in eco_faults}
            device_id = bad_homie_id(product_name(profile), serial) \
                if "homie-bad-id" in fault_names else f"{profile.name}-{serial}"
            every = interval if interval is not None else profile.heartbeat_s / 2
            common: dict[str, Any] = {
                "device_id": device_id, "name": name or f"{profile.title} {serial}",
                "broker_url": broker_url or "mqtt://127.0.0.1:1883", "interval": every,
                "rng": device_rng, "faults": eco_faults, "settings": settings,
                "phase": device_rng.uniform(0, every), "serial": serial}
            device: _EcoDevice = HaSimDevice(profile, prefix=ha_prefix, **common) \
                if ecosystem == "ha" else HomieSimDevice(profile, **common)
            device.link = self.link
            self.devices.append(device)
        self._running = False

    @classmethod
    def single(cls, ecosystem: Ecosystem, profile: str, count: int = 1,
               faults: str | Mapping[str, int] | None = None, *, seed: int | None = None,
               **kwargs: Any) -> Home:
        """``count`` devices of one profile in one ecosystem; ``faults`` ``NAME:K,...``
        puts each fault on K devices (one fault per device, chosen with the seed)."""
        if ecosystem == "devid":
            raise HomeError("use Fleet for devid/1 devices alone")
        try:
            counts = parse_eco_faults(faults, ecosystem) if isinstance(faults, str | None) \
                else dict(faults)
            resolved = load_profile(profile, extra_dirs=kwargs.get("extra_profile_dirs", ()))
        except ValueError as exc:
            raise HomeError(str(exc)) from None
        seed = seed if seed is not None else random.SystemRandom().getrandbits(32)
        rng = random.Random(f"{seed}:faults")
        table = HA_FAULTS if ecosystem == "ha" else HOMIE_FAULTS
        assigned: list[str | None] = [None] * count
        for name, k in counts.items():
            if name not in table:
                raise HomeError(f"unknown {ecosystem} fault {name!r}")
            if k == 0:
                continue
            if not eco_applies(table[name], resolved):
                raise HomeError(f"fault {name} does not fit {resolved.id} (it needs a "
                                f"{table[name].requires})")
            free = [i for i, a in enumerate(assigned) if a is None]
            if len(free) < k:
                raise HomeError(f"fault {name}:{k} needs {k} healthy device(s), "
                                f"{len(free)} left")
            for i in rng.sample(free, k):
                assigned[i] = name
        entries = [HomeEntry(profile=profile, ecosystem=ecosystem, count=1, name=None,
                             faults=(a,) if a else ()) for a in assigned]
        return cls(entries, seed=seed, **kwargs)

    # -- ground truth ------------------------------------------------------------------

    @property
    def manifest(self) -> list[dict[str, Any]]:
        """Every device: ``{"ecosystem", "id", "profile", "name", "faults", ...}`` (devid/1:
        ``urn``; HA/Homie: ``device_id``, ``base_topic``, ``details`` per fault)."""
        out = list(self.fleet.manifest) if self.fleet is not None else []
        for d in self.devices:
            base = d.base if isinstance(d, HaSimDevice) else \
                d.root if isinstance(d, HomieSimDevice) else ""
            details = getattr(d, "details", {})
            out.append({"ecosystem": d.ecosystem, "id": d.manifest_id, "device_id": d.device_id,
                        "profile": d.profile.id, "name": d.display_name,
                        "faults": list(d.fault_names), "base_topic": base,
                        "details": {k: details[k] for k in d.fault_names if k in details},
                        "shows": {f.name: eco_showing(f, d.interval) for f in d.faults}})
        return out

    def write_manifest(self, path: str | os.PathLike[str]) -> None:
        Path(path).write_text(json.dumps(self.manifest, indent=2, ensure_ascii=False) + "\n",
                              encoding="utf-8")

    @property
    def trust_dir(self) -> Path | None:
        """The devid/1 devices' trust anchors (``None`` without devid/1 devices)."""
        return self.fleet.trust_dir if self.fleet is not None else None

    def by_ecosystem(self) -> dict[str, int]:
        counts: dict[str, int] = {e: 0 for e in ECOSYSTEMS}
        if self.fleet is not None:
            counts["devid"] = len(self.fleet.devices)
        for d in self.devices:
            counts[d.ecosystem] += 1
        return {k: v for k, v in counts.items() if v}

    # -- running -----------------------------------------------------------------------

    async def start(self, broker_url: str | None = None) -> None:
        """Start the devid/1 fleet, then connect every HA and Homie device (staggered)."""
        if self._running:
            return
        if broker_url is not None:
            parse_url(broker_url)
            self.broker_url = broker_url
        if self.broker_url is None:
            raise HomeError("no broker URL: pass broker_url")
        settings = self.settings if self.settings is not None else load_settings()
        for d in self.devices:
            d.broker_url = self.broker_url
            d.settings = settings
        self._running = True
        if self.fleet is not None:
            try:
                await self.fleet.start(self.broker_url)
            except BaseException:
                self._running = False
                raise
        gate = asyncio.Semaphore(self.connect_concurrency)

        async def start_one(device: _EcoDevice) -> None:
            async with gate:
                for attempt in range(START_ATTEMPTS):
                    try:
                        await device.start()
                        return
                    except (MqttError, TimeoutError):
                        if attempt == START_ATTEMPTS - 1:
                            raise
                        await asyncio.sleep(0.2 * (attempt + 1))

        results = await asyncio.gather(*(start_one(d) for d in self.devices),
                                       return_exceptions=True)
        errors = [r for r in results if isinstance(r, BaseException)]
        if errors:
            await self.stop()
            raise errors[0]

    async def stop(self, *, graceful: bool = True) -> StopReport:
        """Stop every device: devid/1 status offline, HA availability offline, Homie
        ``$state`` disconnected (all retained), then disconnect. Returns how many devices
        published that (one without a broker connection cannot)."""
        if not self._running:
            return StopReport()
        self._running = False
        results = await asyncio.gather(*(d.stop(graceful=graceful) for d in self.devices),
                                       return_exceptions=True)
        report = StopReport(len(results), sum(1 for r in results if r is True))
        if self.fleet is not None:
            report += await self.fleet.stop(graceful=graceful)
        return report

    async def __aenter__(self) -> Home:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


__all__ = ["ECOSYSTEMS", "Home", "HomeEntry", "HomeError", "HomeFile", "load_home"]
