"""A profile's test suite, as data, and the runner that plays it against live devices.

The suite is a table of :class:`SuiteCase` s with stable ids (:func:`suite_for`):

============================  ==========================================================
``identity.token``            the retained identity token verifies against the trust
                              anchors (signature, chain, profile, revocation, sub = URN)
``identity.possession``       the device answers a fresh challenge (spec §5)
``retained.identity``         ``identity`` is published retained
``retained.status``           ``status`` is retained and well-formed
``retained.state``            ``state`` is published retained
``heartbeat``                 ``state`` comes at least once per heartbeat interval
``state.schema``              every ``state`` matches the profile (types, ranges, ...)
``cmd.<name>.ack``            one per command: the runner sends it with valid arguments
                              and the ack must arrive, ``ok``, within its deadline
``events.wellformed``         every event (and anything else the device publishes)
                              matches the profile
``lastwill``                  an unclean disconnect makes the broker publish a retained
                              ``offline`` status (needs a way to cut the device off)
============================  ==========================================================

The runner (:func:`run_suite`) gives each device its own MQTT session
(subscribed to ``devid/1/<urn>/#``), runs the devices in parallel, and records
every message it sees. The message checks are those of the check engine
(:mod:`devid._check`); each finding is routed to a case by :data:`ROUTES` (its
code and the topic it is about). Each result goes to ``on_result`` as soon as
it is known (the CLI writes it to the SQLite store there); ``done`` names the
(device, case) pairs a resumed run skips. A device with nothing on the broker
gets one ``TEST-DEVICE-MISSING`` failure (on its first test) and its other tests
are ``not_run``.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import secrets
import time
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from devid import _cbor
from devid._capture import CapturedMessage, CaptureHeader
from devid._findings import Finding, Severity, finding, has_errors
from devid._profiles import Profile, PropertySpec, example_value
from devid._reports._model import TestResult, TestStatus
from devid._token import ChainValidatorLike, verify_token
from devid.live._possession import NONCE_SIZE, Response, challenge_payload, judge_possession

if TYPE_CHECKING:
    from devid._mqtt import MqttClient


@dataclass(frozen=True, slots=True)
class SuiteCase:
    """One named test of a profile's suite."""

    id: str
    name: str
    description: str
    command: str | None = None


BASE_CASES: tuple[SuiteCase, ...] = (
    SuiteCase("identity.token", "Identity token verifies",
              "The retained identity token verifies against the trust anchors and names the "
              "device of its topic (spec §3)."),
    SuiteCase("identity.possession", "Proof of possession",
              "The device signs a fresh challenge nonce with its certificate's key (spec §5)."),
    SuiteCase("retained.identity", "identity is retained",
              "devid/1/<urn>/identity is published with the retain flag (spec §5)."),
    SuiteCase("retained.status", "status is retained",
              "devid/1/<urn>/status is retained and is {state: online|offline, ts} (spec §5)."),
    SuiteCase("retained.state", "state is retained",
              "devid/1/<urn>/state is published with the retain flag (spec §5)."),
    SuiteCase("heartbeat", "Heartbeat",
              "state is republished at least once per heartbeat interval of the profile "
              "(spec §5, §7)."),
    SuiteCase("state.schema", "state matches the profile",
              "Every state message has the envelope {ts, seq, props} and its properties "
              "match the profile (spec §5, §7)."),
)
EVENTS_CASE = SuiteCase(
    "events.wellformed", "Events are well-formed",
    "Every event (and any other message the device publishes) matches the profile.")
LASTWILL_CASE = SuiteCase(
    "lastwill", "Last Will",
    "After an unclean disconnect the broker publishes the device's retained offline status "
    "(spec §5).")

#: (code prefix or code, topic kind) -> case id; the first match wins.
#: Topic kinds: identity, status, state, event, cmd, ack, challenge, response, other.
ROUTES: tuple[tuple[str, str, str], ...] = (
    ("MSG-RETAIN", "identity", "retained.identity"),
    ("MSG-RETAIN", "status", "retained.status"),
    ("MSG-RETAIN", "state", "retained.state"),
    ("MSG-HEARTBEAT-MISSED", "*", "heartbeat"),
    ("MSG-ACK-", "*", "cmd.{name}.ack"),
    ("*", "cmd", "cmd.{name}.ack"),
    ("*", "ack", "cmd.{name}.ack"),
    ("*", "state", "state.schema"),
    ("*", "status", "retained.status"),
    ("*", "identity", "retained.identity"),
    ("*", "event", "events.wellformed"),
    ("*", "other", "events.wellformed"),
)


def suite_for(profile: Profile) -> tuple[SuiteCase, ...]:
    """The suite of ``profile``: the base cases, one ack case per command, events, Last Will."""
    commands = tuple(
        SuiteCase(f"cmd.{name}.ack", f"Command {name} is acked",
                  f"cmd/{name} with valid arguments is acked ok within "
                  f"{spec.ack_deadline_s:g} s.", command=name)
        for name, spec in profile.commands.items())
    return BASE_CASES + commands + (EVENTS_CASE, LASTWILL_CASE)


def topic_kind(topic: str) -> tuple[str, str | None]:
    """``devid/1/<urn>/cmd/on/ack`` → ``("ack", "on")``; unknown shapes → ``("other", None)``."""
    parts = topic.split("/")
    if len(parts) < 4 or parts[0] != "devid" or parts[1] != "1":
        return "other", None
    rest = parts[3:]
    if len(rest) == 1 and rest[0] in ("identity", "status", "state", "challenge"):
        return rest[0], None
    if rest == ["challenge", "response"]:
        return "response", None
    if len(rest) == 2 and rest[0] == "event":
        return "event", rest[1]
    if len(rest) == 2 and rest[0] == "cmd":
        return "cmd", rest[1]
    if len(rest) == 3 and rest[0] == "cmd" and rest[2] == "ack":
        return "ack", rest[1]
    return "other", None


def route(f: Finding, case_ids: Collection[str]) -> str:
    """The case a check-engine finding belongs to (by :data:`ROUTES`)."""
    topic = f.evidence.get("topic")
    kind, name = topic_kind(topic) if isinstance(topic, str) else ("other", None)
    for code, want_kind, case in ROUTES:
        code_ok = code in ("*", f.code) or (code.endswith("-") and f.code.startswith(code))
        if code_ok and want_kind in ("*", kind):
            cid = case.format(name=name)
            if cid in case_ids:
                return cid
            if "{name}" in case:
                return EVENTS_CASE.id  # a command the profile does not declare
    return EVENTS_CASE.id


def command_args(args: Mapping[str, PropertySpec]) -> dict[str, Any]:
    """Valid arguments for a command: every declared argument with a value its spec allows."""
    out: dict[str, Any] = {}
    for name, spec in args.items():
        value = example_value(spec)
        if spec.type == "string" and not value:
            value = "x" * max(1, spec.min_length or 1)
            if spec.max_length is not None:
                value = value[: spec.max_length]
        if spec.type == "number" and isinstance(value, float) and not math.isfinite(value):
            value = 0.0
        out[name] = value
    return out


# --------------------------------------------------------------------------- the runner


OnResult = Callable[[TestResult], None]
PowerCycle = Callable[[str], Awaitable[None]]

SETTLE_S = 0.6
CHALLENGE_TIMEOUT_S = 5.0
CLONE_WINDOW_S = 0.5
LASTWILL_WAIT_S = 5.0
#: How long after an ack's deadline the runner keeps listening (a late ack is then MSG-ACK-LATE,
#: not MSG-ACK-MISSING).
ACK_GRACE_S = 1.5
#: Messages recorded per device and run; more are counted, not checked (TEST-ERROR, warning).
MAX_MESSAGES = 50_000


@dataclass
class _Session:
    """What one device's session saw."""

    urn: str
    messages: list[CapturedMessage] = field(default_factory=list)
    retained: dict[str, CapturedMessage] = field(default_factory=dict)
    our_commands: dict[str, tuple[str, float]] = field(default_factory=dict)  # id -> name, sent
    acks: dict[str, CapturedMessage] = field(default_factory=dict)  # our id -> ack
    responses: list[Response] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    dropped: int = 0

    def add(self, msg: CapturedMessage) -> None:
        if len(self.messages) >= MAX_MESSAGES:
            self.dropped += 1  # a flooding device must not exhaust the runner's memory
            return
        self.messages.append(msg)
        kind, _name = topic_kind(msg.topic)
        if msg.retain and kind in ("identity", "status", "state") and kind not in self.retained:
            self.retained[kind] = msg
        if kind == "response":
            self.responses.append(Response(msg.payload, msg.t, msg.retain))
        elif kind == "ack":
            try:
                body = _cbor.decode(msg.payload)
            except _cbor.CborError:
                body = None
            cid = body.get("id") if isinstance(body, dict) else None
            if isinstance(cid, str) and cid in self.our_commands and cid not in self.acks:
                self.acks[cid] = msg
        self.arrived.set()


class _Emitter:
    """Builds TestResults for one device and hands them on, skipping done cases."""

    def __init__(self, urn: str, cases: Sequence[SuiteCase], done: Collection[tuple[str, str]],
                 on_result: OnResult | None, *, started: datetime, t0: float) -> None:
        self.urn = urn
        self.cases = {c.id: c for c in cases}
        self.done = done
        self.on_result = on_result
        self.started = started
        self.t0 = t0
        self.results: dict[str, TestResult] = {}

    def pending(self, case_id: str) -> bool:
        return case_id not in self.results and (self.urn, case_id) not in self.done

    def emit(self, case_id: str, findings: Sequence[Finding], *,
             status: TestStatus | None = None, reason: str = "") -> None:
        if not self.pending(case_id):
            return
        if status is None:
            status = TestStatus.FAILED if has_errors(findings) else TestStatus.PASSED
        result = TestResult(self.urn, case_id, self.cases[case_id].name, status,
                            tuple(findings), duration=max(0.0, time.time() - self.t0),
                            started=self.started, reason=reason)
        self.results[case_id] = result
        if self.on_result is not None:
            self.on_result(result)

    def rest(self, status: TestStatus, f: Finding) -> None:
        for case_id in self.cases:
            self.emit(case_id, [f], status=status)

    def one_then_not_run(self, status: TestStatus, f: Finding, reason: str) -> None:
        """``f`` once, on the first pending case; every other pending case is not run."""
        pending = [c for c in self.cases if self.pending(c)]
        if pending:
            self.emit(pending[0], [f], status=status)
        for case_id in pending[1:]:
            self.emit(case_id, [], status=TestStatus.NOT_RUN, reason=reason)


def _retained_problem(kind: str, msg: CapturedMessage | None, urn: str) -> list[Finding]:
    if msg is None:
        return [finding("TEST-RETAINED-MISSING", f"no retained {kind} message", subject=urn,
                        evidence={"topic": f"devid/1/{urn}/{kind}"})]
    if not msg.payload:
        return [finding("TEST-RETAINED-MISSING", f"the retained {kind} message is empty",
                        subject=urn, evidence={"topic": msg.topic})]
    return []


async def _run_device(
    broker: str,
    profile: Profile,
    urn: str,
    cases: Sequence[SuiteCase],
    em: _Emitter,
    *,
    client: MqttClient,
    sessions: dict[str, _Session],
    validator: ChainValidatorLike,
    duration: float,
    challenge_timeout: float,
    power_cycle: PowerCycle | None,
) -> None:
    from devid._check import CheckEngine

    loop = asyncio.get_running_loop()
    session = sessions[urn] = _Session(urn)
    tls = broker.lower().startswith("mqtts://")
    start = time.time()
    topic_filter = f"devid/1/{urn}/#"
    try:
        await client.subscribe(topic_filter, qos=1, retain_as_published=True)
        # retained messages arrive at once; wait until they stop coming
        settle_end = loop.time() + SETTLE_S * 3
        while loop.time() < settle_end and len(session.retained) < 3:
            session.arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(session.arrived.wait(), SETTLE_S)
            if not session.arrived.is_set():
                break
        if not session.messages:
            # one finding, not one per test: a mistyped URN is one mistake
            em.one_then_not_run(TestStatus.FAILED, finding(
                "TEST-DEVICE-MISSING", "nothing is published under devid/1/<urn>/ on "
                f"{broker} (is the URN right?)", subject=urn),
                "the device publishes nothing on the broker (TEST-DEVICE-MISSING)")
            return
        # identity.token
        ident = session.retained.get("identity")
        if em.pending("identity.token"):
            found = _retained_problem("identity", ident, urn)
            if ident is not None and ident.payload:
                res = verify_token(ident.payload, now=datetime.now(UTC),
                                   validator=validator)
                found = list(res.findings)
                if res.subject is not None and res.subject != urn:
                    found.append(finding(
                        "ID-SUB-MISMATCH", "the token's sub is not the URN of its topic",
                        subject=urn, evidence={"sub": res.subject[:200]}))
            em.emit("identity.token", found)

        # challenge and commands go out together
        nonce = secrets.token_bytes(NONCE_SIZE)
        sent = time.time()
        await client.publish(f"devid/1/{urn}/challenge", challenge_payload(nonce), qos=1)
        deadlines = [sent + challenge_timeout]
        for case in cases:
            if case.command is None or not em.pending(case.id):
                continue
            spec = profile.commands[case.command]
            cid = f"devid-test-{secrets.token_hex(6)}"
            body = {"id": cid, "args": command_args(spec.args),
                    "ts": int(time.time() * 1000)}
            session.our_commands[cid] = (case.command, time.time())
            await client.publish(f"devid/1/{urn}/cmd/{case.command}", _cbor.encode(body),
                                 qos=1)
            deadlines.append(time.time() + spec.ack_deadline_s + ACK_GRACE_S)

        # possession: until an answer and the clone window, or the timeout
        while time.time() < sent + challenge_timeout:
            fresh = [r for r in session.responses if r.t >= sent and not r.retain]
            if fresh and time.time() >= fresh[0].t + CLONE_WINDOW_S:
                break
            await asyncio.sleep(0.05)
        if em.pending("identity.possession"):
            verdict = judge_possession(urn, nonce, session.responses, sent=sent,
                                       timeout=challenge_timeout, validator=validator)
            em.emit("identity.possession", verdict.findings)

        # observe for the rest of the duration (and until every ack deadline)
        end = max(start + duration, *deadlines)
        while time.time() < end:
            if all(cid in session.acks for cid in session.our_commands) and \
                    time.time() >= start + duration:
                break
            await asyncio.sleep(min(0.1, max(0.0, end - time.time())))
        end_t = time.time()

        # last will (cuts the device off: the last thing done)
        will_findings: list[Finding] | None = None
        will_error: Finding | None = None
        if em.pending(LASTWILL_CASE.id) and power_cycle is not None:
            before = len(session.messages)
            cut = time.time()
            try:
                await power_cycle(urn)
            except Exception as exc:  # the hook's failure is this case's error, not the device's
                will_error = finding("TEST-ERROR", f"the power-cycle hook failed: {exc}",
                                     subject=urn)
                cut = -math.inf
            will_findings = [finding(
                "TEST-LASTWILL-MISSING",
                f"no retained offline status within {LASTWILL_WAIT_S:g} s of an unclean "
                "disconnect", subject=urn, evidence={"topic": f"devid/1/{urn}/status"})]
            while time.time() < cut + LASTWILL_WAIT_S:
                if _offline_after(session.messages[before:]):
                    will_findings = []
                    break
                await asyncio.sleep(0.05)
    finally:
        with contextlib.suppress(Exception):
            await client.unsubscribe(topic_filter)
        sessions.pop(urn, None)

    # the message checks, routed to cases
    case_ids = {c.id for c in cases}
    engine = CheckEngine(profile, header=CaptureHeader(
        broker=broker, tls=tls, started=start, retain_inferred=client.protocol != "5"))
    ours = {(f"devid/1/{urn}/cmd/{name}", t) for name, t in _our_cmd_times(session)}
    for m in session.messages:
        if m.t > end_t:
            break
        engine.feed(m)
    result = engine.finish(end_t)
    routed: dict[str, list[Finding]] = {c: [] for c in case_ids}
    for f in result.findings:
        if f.code == "MSG-SENSITIVE-PLAINTEXT" and (f.evidence.get("topic"), f.t) in ours:
            continue  # the runner's own command carrying a sensitive argument
        routed[route(f, case_ids)].append(f)

    for kind in ("identity", "status", "state"):
        cid = f"retained.{kind}"
        em.emit(cid, _retained_problem(kind, session.retained.get(kind), urn) + routed[cid])
    em.emit("heartbeat", routed["heartbeat"] + _stale_state(session, profile, urn, start))
    em.emit("state.schema", routed["state.schema"])
    for case in cases:
        if case.command is not None:
            em.emit(case.id, routed[case.id] + _ack_findings(session, case.command, urn))
    if session.dropped:
        routed[EVENTS_CASE.id].append(finding(
            "TEST-ERROR", f"{session.dropped} message(s) beyond the first {MAX_MESSAGES} were "
            "not checked", subject=urn, severity=Severity.WARNING,
            evidence={"dropped": session.dropped}))
    events_seen = any(topic_kind(m.topic)[0] == "event" for m in session.messages)
    if routed[EVENTS_CASE.id] or events_seen:
        em.emit(EVENTS_CASE.id, routed[EVENTS_CASE.id])
    else:
        em.emit(EVENTS_CASE.id, [finding("TEST-SKIPPED", f"no event in {end_t - start:.0f} s",
                                         subject=urn)], status=TestStatus.SKIPPED)
    if will_error is not None:
        em.emit(LASTWILL_CASE.id, [will_error], status=TestStatus.ERROR)
    elif will_findings is None:
        em.emit(LASTWILL_CASE.id, [finding(
            "TEST-SKIPPED", "the Last Will needs an unclean disconnect of the device; this run "
            "has no way to cause one", subject=urn)], status=TestStatus.SKIPPED)
    else:
        em.emit(LASTWILL_CASE.id, will_findings)


def _our_cmd_times(session: _Session) -> list[tuple[str, float]]:
    out = []
    for m in session.messages:
        kind, name = topic_kind(m.topic)
        if kind != "cmd" or name is None:
            continue
        try:
            body = _cbor.decode(m.payload)
        except _cbor.CborError:
            continue
        if isinstance(body, dict) and body.get("id") in session.our_commands:
            out.append((name, m.t))
    return out


def _offline_after(messages: Sequence[CapturedMessage]) -> bool:
    for m in messages:
        if topic_kind(m.topic)[0] != "status":
            continue
        try:
            body = _cbor.decode(m.payload)
        except _cbor.CborError:
            continue
        if isinstance(body, dict) and body.get("state") == "offline":
            return True
    return False


def _stale_state(session: _Session, profile: Profile, urn: str, start: float) -> list[Finding]:
    """The retained state must not be older than the heartbeat interval (plus 10 %, >= 2 s)."""
    msg = session.retained.get("state")
    if msg is None:
        return []
    try:
        body = _cbor.decode(msg.payload)
    except _cbor.CborError:
        return []
    ts = body.get("ts") if isinstance(body, dict) else None
    if not isinstance(ts, int) or isinstance(ts, bool):
        return []
    limit = profile.heartbeat_s + max(2.0, profile.heartbeat_s * 0.1)
    age = start - ts / 1000.0
    if age > limit:
        return [finding("MSG-HEARTBEAT-MISSED",
                        f"the retained state is {age:.0f} s old (heartbeat "
                        f"{profile.heartbeat_s:g} s)", subject=urn,
                        evidence={"topic": msg.topic, "age_s": round(age, 3)}, t=msg.t)]
    return []


def _ack_findings(session: _Session, command: str, urn: str) -> list[Finding]:
    out: list[Finding] = []
    for cid, (name, _sent) in session.our_commands.items():
        if name != command:
            continue
        ack = session.acks.get(cid)
        if ack is None:
            continue  # the engine reports MSG-ACK-MISSING
        try:
            body = _cbor.decode(ack.payload)
        except _cbor.CborError:
            continue
        if isinstance(body, dict) and body.get("ok") is False:
            error = body.get("error")
            out.append(finding("TEST-CMD-REJECTED",
                               f"cmd/{command} with valid arguments was refused"
                               + (f": {error[:200]}" if isinstance(error, str) else ""),
                               subject=urn, evidence={"topic": ack.topic, "id": cid}, t=ack.t))
    return out


async def run_suite(
    broker: str,
    profile: Profile,
    devices: Sequence[str],
    *,
    validator: ChainValidatorLike,
    duration: float = 10.0,
    done: Collection[tuple[str, str]] = (),
    on_result: OnResult | None = None,
    power_cycle: PowerCycle | None = None,
    concurrency: int = 32,
    challenge_timeout: float = CHALLENGE_TIMEOUT_S,
    client_options: Mapping[str, Any] | None = None,
) -> list[TestResult]:
    """Run the suite of ``profile`` on ``devices`` (URNs) in parallel; returns the new results.

    Each device's results go to ``on_result`` as they are known; pairs in ``done``
    are skipped (a device whose every case is done is not contacted). A device
    with nothing on the broker fails its first test with ``TEST-DEVICE-MISSING``
    and its other tests are ``not_run``. A device that cannot be tested (the
    broker refuses, an internal error) gets ``error`` results carrying
    ``TEST-ERROR``; one that overruns its time ``TEST-TIMEOUT``.
    ``power_cycle(urn)`` cuts a device off without a DISCONNECT (for ``lastwill``).
    """
    if duration < 0:
        raise ValueError("duration must not be negative")
    from devid._mqtt import MqttClient

    cases = suite_for(profile)
    gate = asyncio.Semaphore(max(1, concurrency))
    out: list[TestResult] = []
    todo = [urn for urn in dict.fromkeys(devices) if not all((urn, c.id) in done for c in cases)]
    if not todo:
        return out
    sessions: dict[str, _Session] = {}
    # One MQTT session for every device under test: fewer connections, and brokers that
    # mishandle many simultaneous CONNECTs (amqtt) are spared them.
    client = MqttClient(broker, reconnect=False, **dict(client_options or {}))
    await client.connect()

    async def dispatch() -> None:
        async for m in client.messages:
            parts = m.topic.split("/", 3)
            session = sessions.get(parts[2]) if len(parts) > 3 else None
            if session is not None:
                session.add(CapturedMessage(m.t, m.topic, bytes(m.payload), m.qos,
                                            bool(m.retain)))

    async def one(urn: str) -> None:
        async with gate:
            em = _Emitter(urn, cases, done, on_result, started=datetime.now(UTC), t0=time.time())
            limit = duration + challenge_timeout + LASTWILL_WAIT_S + 30 + max(
                (c.ack_deadline_s for c in profile.commands.values()), default=0)
            try:
                await asyncio.wait_for(_run_device(
                    broker, profile, urn, cases, em, client=client, sessions=sessions,
                    validator=validator, duration=duration,
                    challenge_timeout=challenge_timeout, power_cycle=power_cycle), limit)
            except TimeoutError:
                em.rest(TestStatus.ERROR, finding("TEST-TIMEOUT", f"the device's tests did "
                                                  f"not finish within {limit:.0f} s",
                                                  subject=urn))
            except Exception as exc:  # a device must never stop the others' tests
                em.rest(TestStatus.ERROR, finding("TEST-ERROR", f"{type(exc).__name__}: {exc}",
                                                  subject=urn))
            out.extend(em.results.values())

    reader = asyncio.get_running_loop().create_task(dispatch())
    try:
        await asyncio.gather(*(one(urn) for urn in todo))
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await reader
        await client.close()
    return out


async def devices_on_broker(broker: str, profile: Profile, *, timeout: float = 2.0,
                            client_options: Mapping[str, Any] | None = None) -> list[str]:
    """The URNs of the devices on ``broker`` that claim ``profile`` (``--all``).

    A device claims a profile through its identity token's profiles claim (-70001);
    a device that claims a profile extending ``profile`` is included too.
    """
    from devid.discovery import async_discover_broker

    records, problems = await async_discover_broker(broker, timeout=timeout,
                                                    **dict(client_options or {}))
    unreachable = [f for f in problems if f.code == "SCAN-BROKER-UNREACHABLE"]
    if unreachable:
        raise ConnectionError(unreachable[0].message)
    out = []
    for r in records:
        if r.profile is None:
            continue
        if r.profile == profile.id:
            out.append(r.id)
            continue
        try:
            from devid._profiles import load_profile

            if profile.id in load_profile(r.profile).lineage:
                out.append(r.id)
        except ValueError:
            continue
    return out


__all__ = [
    "BASE_CASES",
    "EVENTS_CASE",
    "LASTWILL_CASE",
    "ROUTES",
    "SuiteCase",
    "command_args",
    "devices_on_broker",
    "route",
    "run_suite",
    "suite_for",
    "topic_kind",
]

