"""Proof of possession: judge the answers to one challenge (spec §3, §5). Pure.

A scanner sends ``{"nonce": <fresh random bytes>}`` on ``devid/1/<urn>/challenge``
and collects what arrives on ``devid/1/<urn>/challenge/response`` for a short
window. :func:`judge_possession` turns that into a verdict:

- every response received within the timeout is verified as an identity token
  (signature, chain to the trust anchors, profile, revocation) with
  ``eat_nonce`` required to equal the nonce sent;
- a response received *before* the challenge went out, or carrying the
  ``retain`` flag, cannot be an answer to it: it is a replay
  (``ID-NONCE-MISMATCH``), whatever its nonce;
- a response whose ``sub`` names another device is ``ID-RESPONSE-SUBJECT``;
- two different responses carrying this nonce, or responses signed with two
  different device certificates, mean two responders hold the URN: ``ID-CLONE``;
- no response within the timeout is ``ID-CHALLENGE-TIMEOUT``.

The device is *proven* when at least one response verifies, names the device
and carries the nonce, and nothing else that arrived is an error (no clone, no
replay beside it).

No network, no clock: receive times and the validation time come in as
arguments.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from devid._findings import Finding, finding, has_errors
from devid._token import ChainValidatorLike, verify_token

#: Nonce length the scanner uses (spec §5 allows 16-64 bytes).
NONCE_SIZE = 24


class Possession(StrEnum):
    """The outcome of a challenge."""

    PROVEN = "proven"  # a fresh, valid, signed answer from one responder
    FAILED = "failed"  # answers came, but none proves possession (or a clone answered)
    NO_RESPONSE = "no-response"  # nothing arrived within the timeout
    NOT_TESTED = "not-tested"  # not challenged (not a devid device, not on the broker, offline)


@dataclass(frozen=True, slots=True)
class Response:
    """One message received on ``devid/1/<urn>/challenge/response``.

    ``t`` is the receive time (Unix seconds); ``retain`` the flag it was delivered with.
    """

    payload: bytes
    t: float
    retain: bool = False


@dataclass(frozen=True, slots=True)
class PossessionResult:
    """The verdict of one challenge."""

    urn: str
    possession: Possession
    findings: tuple[Finding, ...]
    responses: int = 0
    latency: float | None = None  # seconds from the challenge to the first good answer

    @property
    def proven(self) -> bool:
        return self.possession is Possession.PROVEN

    def to_dict(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "possession": self.possession.value,
            "responses": self.responses,
            "latency": self.latency,
            "findings": [f.to_dict() for f in self.findings],
        }


def challenge_payload(nonce: bytes) -> bytes:
    """The CBOR body of a challenge: ``{"nonce": <bstr>}`` (spec §5)."""
    from devid._cbor import encode

    if not 16 <= len(nonce) <= 64:
        raise ValueError("a challenge nonce is 16 to 64 bytes (spec §5)")
    return encode({"nonce": bytes(nonce)})


def _at(t: float) -> datetime:
    return datetime.fromtimestamp(t, UTC)


def _leaf_id(result: Any) -> str | None:
    leaf = getattr(result, "leaf", None)
    if leaf is None:
        return None
    der = leaf.public_bytes(serialization.Encoding.DER)
    return hashlib.sha256(der).hexdigest()[:16]


def _dedup(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    seen: dict[tuple[str, str], Finding] = {}
    for f in findings:
        seen.setdefault((f.code, f.message), f)
    return tuple(seen.values())


def judge_possession(
    urn: str,
    nonce: bytes,
    responses: Sequence[Response],
    *,
    sent: float,
    timeout: float,
    validator: ChainValidatorLike | None = None,
    key: PublicKeyTypes | None = None,
    now: datetime | None = None,
) -> PossessionResult:
    """The verdict on the ``responses`` to one challenge of ``urn`` with ``nonce``.

    ``sent`` is when the challenge was published (Unix seconds) and ``timeout``
    how long an answer may take. Each response is validated at ``now`` when given,
    else at its own receive time. Trust comes from ``validator`` (trust anchors) or,
    without anchors, from ``key`` (the public key of the certificate the device
    presented in its retained token). Never raises for anything a device sent.
    """
    if (validator is None) == (key is None):
        raise ValueError("pass exactly one of validator= and key=")
    if timeout <= 0:
        raise ValueError("timeout must be positive")
    out: list[Finding] = []
    in_time = [r for r in responses if r.t <= sent + timeout]
    late = len(responses) - len(in_time)

    good: list[tuple[Response, str | None]] = []  # fresh, valid, for this device
    carriers: dict[bytes, str | None] = {}  # payloads that carry our nonce -> leaf id
    for resp in in_time:
        replay = resp.t < sent or resp.retain
        result = verify_token(resp.payload, now=now or _at(resp.t), validator=validator,
                              key=key, nonce=nonce)
        found = list(result.findings)
        if replay:
            why = "retained" if resp.retain else "received before the challenge was sent"
            found.append(finding(
                "ID-NONCE-MISMATCH",
                f"a challenge response was {why}: a replay, not an answer to this challenge",
                subject=urn, evidence={"retain": resp.retain, "t": resp.t, "sent": sent}))
        if result.subject is not None and result.subject != urn:
            found.append(finding(
                "ID-RESPONSE-SUBJECT",
                "the challenge response names another device",
                subject=urn, evidence={"sub": result.subject[:200]}))
        nonce_ok = not any(f.code == "ID-NONCE-MISMATCH" for f in found)
        if nonce_ok:
            carriers.setdefault(bytes(resp.payload), _leaf_id(result))
        out.extend(found)
        if not has_errors(found):
            good.append((resp, _leaf_id(result)))

    leaves = {leaf for leaf in carriers.values() if leaf is not None}
    if len(carriers) > 1 or len(leaves) > 1:
        out.append(finding(
            "ID-CLONE",
            f"{len(carriers)} different responses answered one challenge"
            + (f", signed by {len(leaves)} different device certificates" if len(leaves) > 1
               else ""),
            subject=urn,
            evidence={"responses": len(carriers), "certificates": sorted(leaves)}))

    if not in_time:
        out.append(finding(
            "ID-CHALLENGE-TIMEOUT",
            f"no response to the challenge within {timeout:g} s"
            + (f" ({late} arrived later)" if late else ""),
            subject=urn, evidence={"timeout": timeout, "late": late}))
        return PossessionResult(urn, Possession.NO_RESPONSE, _dedup(out), len(responses))

    if good and not has_errors(out):
        first = min(r.t for r, _ in good)
        return PossessionResult(urn, Possession.PROVEN, _dedup(out), len(responses),
                                latency=max(0.0, first - sent))
    return PossessionResult(urn, Possession.FAILED, _dedup(out), len(responses))


__all__ = [
    "NONCE_SIZE",
    "Possession",
    "PossessionResult",
    "Response",
    "challenge_payload",
    "judge_possession",
]
