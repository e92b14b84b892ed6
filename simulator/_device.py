"""One simulated device: its MQTT session and its devid/1 behaviour (spec §5).

On start a device connects with its Last Will (``status`` offline, retained),
subscribes to its ``cmd/+`` and ``challenge`` topics, publishes ``status`` online,
its ``identity`` token and a first ``state`` (all retained), then republishes
``state`` every interval with values that wander within their ranges, now and
then an event of its profile, acks commands (updating its state as the profile's
``sets:`` say) and answers challenges with a fresh token carrying the nonce. A
:class:`~simulator._faults.Fault` changes exactly the behaviour its table entry names,
and keeps changing it: a fault that bends states bends every state, and one that shows
in extra messages (``seq-regression``, a ``plaintext-sensitive`` echo) shows again at
least once per heartbeat, so an observer that starts late still sees it.

A lost broker connection is reported to :attr:`SimDevice.link` (a
:class:`~simulator._link.LinkWatch`) and reconnected with backoff; after the reconnect
the device publishes ``status`` online, its identity and its state again.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from devid import _cbor
from devid._mqtt import Message, MqttClient, MqttError, MqttSettings, Will
from devid._profiles import Profile, PropertySpec
from devid._provision import DeviceCredentials, PrivateKey
from devid._token import create_token
from simulator._faults import ACK_LATE_EXTRA_S, OVERSIZE_BYTES, Fault, heartbeat_ticks
from simulator._link import LinkWatch
from simulator._values import initial_value, next_value

#: Probability, per state tick, that a device with events emits one.
EVENT_PROBABILITY = 0.05
SW_VERSION = "1.0.0"


@dataclass(frozen=True)
class DeviceIdentity:
    """What a device is provisioned with (shared by a device and its clone)."""

    urn: str
    serial: str
    credentials: DeviceCredentials
    signer: PrivateKey  # the key tokens are signed with (the certificate's, except wrong-key)
    pen: int
    product: str


def corrupt_signature(token: bytes) -> bytes:
    """Flip the last byte of a COSE_Sign1 (the last byte of its signature)."""
    return token[:-1] + bytes([token[-1] ^ 0x5A])


def sensitive_target(profile: Profile) -> tuple[str, str, str | None] | None:
    """Where a ``plaintext-sensitive`` device leaks: ("state", prop, None),
    ("event", event, field) or ("cmd", command, arg); ``None`` when the profile has none."""
    for name, spec in profile.properties.items():
        if spec.data_class == "sensitive":
            return ("state", name, None)
    for event, ev in profile.events.items():
        for field_name, spec in ev.data.items():
            if spec.data_class == "sensitive":
                return ("event", event, field_name)
    for command, cmd in profile.commands.items():
        for arg, spec in cmd.args.items():
            if spec.data_class == "sensitive":
                return ("cmd", command, arg)
    return None


def ranged_property(profile: Profile) -> str | None:
    """A number/integer property with a range (required ones first)."""
    best: str | None = None
    for name, spec in profile.properties.items():
        if spec.type in ("number", "integer") and not spec.enum and (
                spec.minimum is not None or spec.maximum is not None):
            if spec.required:
                return name
            if best is None and spec.data_class != "sensitive":
                best = name
    return best


def required_property(profile: Profile) -> str | None:
    """A required property, preferring types whose wrong type is unambiguous."""
    required = [n for n, s in profile.properties.items() if s.required]
    for name in required:
        if profile.properties[name].type in ("number", "integer", "boolean", "string"):
            return name
    return required[0] if required else None


def _wrong_type(spec: PropertySpec, value: Any) -> Any:
    if spec.type in ("number", "integer"):
        return str(value)
    if spec.type in ("boolean", "bytes", "array", "object"):
        return "true" if spec.type == "boolean" else "not-" + spec.type
    return 12345  # string, enum


def out_of_range_value(spec: PropertySpec) -> Any:
    """A value of a ranged number property far outside its range."""
    lo, hi = spec.minimum, spec.maximum
    if hi is not None:
        value = hi + max(1.0, (hi - lo) if lo is not None else 100.0)
    else:
        assert lo is not None
        value = lo - 1000.0
    return int(value) if spec.type == "integer" else float(value)


class SimDevice:
    """A simulated device on one MQTT connection (see the module docstring)."""

    def __init__(
        self,
        identity: DeviceIdentity,
        profile: Profile,
        *,
        broker_url: str,
        interval: float,
        rng: random.Random,
        display_name: str,
        fault: Fault | None = None,
        instance: int = 0,
        settings: MqttSettings | None = None,
        phase: float = 0.0,
    ) -> None:
        self.identity = identity
        self.profile = profile
        self.broker_url = broker_url
        self.interval = interval
        self.rng = rng
        self.display_name = display_name
        self.fault = fault
        self.instance = instance
        self.settings = settings
        self.phase = phase
        self.urn = identity.urn
        self.base = f"devid/1/{self.urn}/"
        self.tls = broker_url.lower().startswith("mqtts://")
        self.client: MqttClient | None = None
        self.state_seq = 0
        self.event_seq: dict[str, int] = {}
        self.values = self._initial_values()
        # An actuator holds what its last command set (a lock stays locked): only the
        # properties no command sets drift on their own.
        self.drifting = {name: spec for name, spec in profile.properties.items()
                         if not any(name in c.sets for c in profile.commands.values())}
        self.token = self._make_token()
        self.stale_token = self._make_token(
            nonce=bytes(rng.getrandbits(8) for _ in range(16)), age_s=3600)
        self.echo_id = f"echo-{identity.serial}"  # + "-<n>": the plaintext-sensitive echoes
        self.echoes = 0
        self.commands_received = 0
        self.challenges_answered = 0
        self.published = 0
        self._tasks: list[asyncio.Task[None]] = []
        self._cmd_tasks: set[asyncio.Task[None]] = set()  # commands being acked
        self._started = False
        self.link: LinkWatch | None = None  # told about connection losses and reconnects

    # -- content -----------------------------------------------------------------------

    @property
    def tk(self) -> str:
        """First 16 hex digits of SHA-256 of the identity token (the TXT key ``tk``)."""
        return hashlib.sha256(self.token).hexdigest()[:16]

    def _leak(self) -> tuple[str, str, str | None] | None:
        if self.fault is not None and self.fault.state_change == "sensitive":
            return sensitive_target(self.profile)
        return None

    def _initial_values(self) -> dict[str, Any]:
        leak = self._leak()
        values: dict[str, Any] = {}
        for name, spec in self.profile.properties.items():
            if spec.data_class == "sensitive" and not self.tls and not (
                    leak and leak[0] == "state" and leak[1] == name):
                continue  # a careful device keeps sensitive values off plaintext sessions
            values[name] = initial_value(name, spec, self.rng)
        return values

    def ts(self) -> int:
        offset = self.fault.ts_offset_s if self.fault is not None else 0.0
        return int((time.time() + offset) * 1000)

    def _claims(self) -> Mapping[int, Any]:
        return {258: self.identity.pen, 259: self.identity.product.encode()[:32],
                271: [SW_VERSION], -70001: [self.profile.id]}

    def _make_token(self, nonce: bytes | None = None, age_s: float = 0.0) -> bytes:
        ident = self.identity
        token = create_token(ident.signer, ident.credentials.chain, sub=ident.urn,
                             iat=int(time.time() - age_s), nonce=nonce, claims=self._claims())
        if self.fault is not None and self.fault.signing == "bad-signature":
            token = corrupt_signature(token)
        return token

    def state_payload(self) -> bytes:
        """The next state message; a fault that bends states bends every one of them (a
        late observer sees it in the retained state or the next live one)."""
        self.state_seq += 1
        kind = self.fault.state_change if self.fault is not None else None
        props = dict(self.values)
        if kind == "out-of-range":
            name = ranged_property(self.profile)
            assert name is not None
            props[name] = out_of_range_value(self.profile.properties[name])
        elif kind == "wrong-type":
            name = required_property(self.profile)
            assert name is not None
            props[name] = _wrong_type(self.profile.properties[name], props.get(name))
        elif kind == "drop-required":
            name = required_property(self.profile)
            assert name is not None
            props.pop(name, None)
        body: dict[str, Any] = {"ts": self.ts(), "seq": self.state_seq, "props": props}
        if kind == "oversize":
            body["padding"] = "x" * OVERSIZE_BYTES
        payload = _cbor.encode(body)
        if kind == "truncate-cbor":
            payload = payload[:-1]
        return payload

    def _event_payload(self, name: str, data: Mapping[str, Any]) -> bytes:
        seq = self.event_seq.get(name, 0) + 1
        self.event_seq[name] = seq
        return _cbor.encode({"ts": self.ts(), "seq": seq, "data": dict(data)})

    def _event_data(self, name: str) -> dict[str, Any]:
        spec = self.profile.events[name]
        return {f: initial_value(f, s, self.rng) for f, s in spec.data.items()
                if s.data_class != "sensitive" or self.tls}

    def states(self, *, showing: bool = False) -> list[bytes]:
        """The state message(s) of one tick. ``showing``: a tick on which a fault that shows
        once per heartbeat shows (``seq-regression``: a second state with a lower seq)."""
        out = [self.state_payload()]
        if showing and self.fault is not None and self.fault.state_change == "seq-regression":
            out.append(_cbor.encode({"ts": self.ts(), "seq": self.state_seq - 1,
                                     "props": dict(self.values)}))
            self.state_seq -= 1  # the next state repeats the seq the regression went back from
        return out

    def first_states(self) -> list[tuple[bytes, bool]]:
        """The first state message(s), with the fault's change: [(payload, retain)]."""
        retain = self.fault.state_retain if self.fault is not None else True
        return [(payload, retain) for payload in self.states(showing=True)]

    def leak(self) -> None:
        """``plaintext-sensitive`` with an event field or a command argument: send it (at
        start and then once per heartbeat; a sensitive state property is in every state)."""
        leak = self._leak()
        if leak is not None and leak[0] == "event":
            _, event, field_name = leak
            assert field_name is not None
            data = self._event_data(event)
            data[field_name] = "0000-leaked"
            self._publish(f"event/{event}", self._event_payload(event, data))
        elif leak is not None and leak[0] == "cmd":
            _, command, arg = leak
            assert arg is not None
            # The device echoes a credential-bearing command on its own topic tree.
            self.echoes += 1
            echo_id = f"{self.echo_id}-{self.echoes}"
            self._publish(f"cmd/{command}", _cbor.encode(
                {"id": echo_id, "args": {arg: "4711"}, "ts": self.ts()}))
            self._publish(f"cmd/{command}/ack", _cbor.encode(
                {"id": echo_id, "ok": True, "ts": self.ts()}))

    # -- MQTT --------------------------------------------------------------------------

    def _status(self, state: str) -> bytes:
        return _cbor.encode({"state": state, "ts": self.ts()})

    async def start(self) -> None:
        """Connect, subscribe, publish status/identity/state, and start ticking."""
        client = MqttClient(
            self.broker_url,
            client_id=f"sim-{self.identity.serial}-{self.instance}-{os.urandom(3).hex()}",
            will=Will(self.base + "status", self._status("offline"), qos=1, retain=True),
            settings=self.settings,
        )
        await client.connect()
        try:
            await client.subscribe(self.base + "cmd/+", qos=1, no_local=True)
            await client.subscribe(self.base + "challenge", qos=1)
        except (MqttError, TimeoutError):
            client.abort()
            raise
        self.client = client
        client.on_reconnect = self._republish
        client.on_connection_lost = self._lost
        if self.link is not None:
            self.link.up(self)
        self._publish("status", self._status("online"), retain=True)
        self._publish("identity", self.token, retain=True)
        for payload, retain in self.first_states():
            self._publish("state", payload, retain=retain)
        self.leak()
        self._started = True
        loop = asyncio.get_running_loop()
        self._tasks.append(loop.create_task(self._inbox()))
        self._tasks.append(loop.create_task(self._ticker()))

    def _republish(self) -> None:
        """After a reconnect: status online again (the broker sent our Will), identity, state."""
        self._publish("status", self._status("online"), retain=True)
        self._publish("identity", self.token, retain=True)
        for payload, retain in self.first_states():
            self._publish("state", payload, retain=retain)
        self.leak()
        if self.link is not None:
            self.link.back(self)

    def _lost(self, reason: str) -> None:
        if self.link is not None:
            self.link.lost(self, reason)

    def _publish(self, suffix: str, payload: bytes, *, retain: bool = False) -> bool:
        client = self.client
        if client is None:
            return False
        try:
            client.publish_nowait(self.base + suffix, payload, qos=1, retain=retain)
        except MqttError:
            return False
        self.published += 1
        return True

    async def stop(self, *, graceful: bool = True) -> bool:
        """Stop ticking; publish status offline (retained) and disconnect.

        Returns whether the broker acknowledged the offline status (``False`` when the
        device was not connected, or not started, or ``graceful`` is false).
        """
        if self.link is not None:
            self.link.gone(self)
        tasks = [*self._tasks, *self._cmd_tasks]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        self._cmd_tasks.clear()
        client, self.client = self.client, None
        if client is None:
            return False
        published = False
        if graceful and client.connected:
            with contextlib.suppress(MqttError, TimeoutError):
                await asyncio.wait_for(client.publish(
                    self.base + "status", self._status("offline"), qos=1, retain=True), 3.0)
                published = True
            await client.close()
        else:
            client.abort()
        return published

    def drift(self, dt: float) -> None:
        """Advance the free-running properties by ``dt`` seconds."""
        for name, spec in self.drifting.items():
            if name in self.values:
                self.values[name] = next_value(name, spec, self.values[name], self.rng, dt)

    async def _ticker(self) -> None:
        loop = asyncio.get_running_loop()
        heartbeat = self.fault.heartbeat if self.fault is not None else True
        retain = self.fault.state_retain if self.fault is not None else True
        events = list(self.profile.events)
        every = heartbeat_ticks(self.interval, self.profile.heartbeat_s)
        await asyncio.sleep(self.phase)
        next_at = loop.time()
        tick = 0
        while True:
            next_at += self.interval
            tick += 1
            showing = tick % every == 0  # a fault that shows once per heartbeat shows now
            self.drift(self.interval)
            if heartbeat:
                for payload in self.states(showing=showing):
                    self._publish("state", payload, retain=retain)
            if showing:
                self.leak()
            if events and self.rng.random() < EVENT_PROBABILITY:
                event = self.rng.choice(events)
                self._publish(f"event/{event}", self._event_payload(event,
                                                                    self._event_data(event)))
            await asyncio.sleep(max(0.0, next_at - loop.time()))

    async def _inbox(self) -> None:
        client = self.client
        assert client is not None
        pending = self._cmd_tasks
        async for message in client.messages:
            suffix = message.topic[len(self.base):] if message.topic.startswith(
                self.base) else ""
            if suffix == "challenge":
                self._answer(message)
            elif suffix.startswith("cmd/") and suffix.count("/") == 1:
                task = asyncio.get_running_loop().create_task(
                    self._command(suffix[4:], message))
                pending.add(task)
                task.add_done_callback(pending.discard)

    def _answer(self, message: Message) -> None:
        try:
            body = _cbor.decode(message.payload)
        except _cbor.CborError:
            return
        nonce = body.get("nonce") if isinstance(body, dict) else None
        if not isinstance(nonce, bytes) or not 16 <= len(nonce) <= 64:
            return
        if self.fault is not None and self.fault.challenge == "stale":
            token = self.stale_token
        else:
            token = self._make_token(nonce=nonce)
        self.challenges_answered += 1
        self._publish("challenge/response", token)

    async def _command(self, name: str, message: Message) -> None:
        try:
            body = _cbor.decode(message.payload)
        except _cbor.CborError:
            return
        if not isinstance(body, dict) or not isinstance(body.get("id"), str):
            return
        if body["id"].startswith(self.echo_id + "-"):
            return  # our own plaintext-sensitive echo (MQTT 3.1.1 has no no-local option)
        self.commands_received += 1
        mode = self.fault.ack if self.fault is not None else "on-time"
        if mode == "none":
            return
        command = self.profile.commands.get(name)
        raw_args = body.get("args")
        args: dict[Any, Any] = raw_args if isinstance(raw_args, dict) else {}
        ack: dict[str, Any] = {"id": body["id"], "ok": True}
        updates: dict[str, Any] = {}
        if command is None:
            ack["ok"] = False
            ack["error"] = f"unknown command {name[:64]}"
            deadline = 1.0
        else:
            deadline = command.ack_deadline_s
            missing = [a for a, s in command.args.items() if s.required and a not in args]
            if missing:
                ack["ok"] = False
                ack["error"] = f"missing argument {missing[0]}"
            else:
                updates = {k: v for k, v in self.profile.apply_command(name, args).items()
                           if k in self.profile.properties}
        delay = deadline + ACK_LATE_EXTRA_S if mode == "late" else min(
            0.05 + self.rng.random() * 0.1, deadline / 4)
        await asyncio.sleep(delay)
        ack["ts"] = self.ts()
        self.values.update(updates)
        self._publish(f"cmd/{name}/ack", _cbor.encode(ack))
        if updates:
            retain = self.fault.state_retain if self.fault is not None else True
            self._publish("state", self.state_payload(), retain=retain)


__all__ = ["DeviceIdentity", "SimDevice", "corrupt_signature", "out_of_range_value",
           "ranged_property",
           "required_property", "sensitive_target"]
