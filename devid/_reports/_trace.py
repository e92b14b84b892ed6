"""Traceability of a report: what produced it, from what, when (docs/signing.md).

Every report devid writes from the command line carries a ``trace`` object::

    {"devid_version": "0.9.0",
     "time_source": "system clock",
     "started": "2025-01-01T10:00:00+00:00", "finished": "2025-01-01T10:00:12+00:00",
     "profiles": [{"id": "smart-plug/1", "sha256": "..."}, {"id": "core/1", "sha256": "..."}],
     "trust_store": {"sha256": "...", "anchors": 2},
     "command": "devid test",
     "options": {"profile_ref": "smart-plug/1", "broker": "mqtt://127.0.0.1:1883", ...},
     "results_chain": {"state": "chained", "rows": 11, "head": "..."}}   # devid test only

``profiles`` lists each profile document involved (a profile and every parent it
``extends``) with the SHA-256 of the document file's bytes (``null`` when it could
not be read). ``trust_store.sha256`` is the SHA-256 over the anchors' DER encodings,
sorted bytewise and concatenated (DER is self-delimiting), so the same set of
anchors gives the same hash whatever the files and their order. ``options`` are the
command's parsed options; values of options whose name says password, passphrase,
secret or token are replaced by ``"<redacted>"`` and user information in URLs is
removed (secrets never come from the command line anyway).

Pure apart from reading the profile documents named.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from devid._certs import TrustStore, cert_der

TIME_SOURCE = "system clock"
_SECRET = re.compile(r"pass(word|phrase)?|secret|token|credential", re.IGNORECASE)
_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/@]*@")


def devid_version() -> str:
    try:
        return metadata.version("devid")
    except metadata.PackageNotFoundError:
        return "dev"


def trust_sha256(trust: TrustStore) -> str:
    """SHA-256 over the anchors' DER encodings, sorted and concatenated."""
    return hashlib.sha256(b"".join(sorted(cert_der(c) for c in trust.certificates))).hexdigest()


def file_sha256(path: str | Path) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def profile_documents(profile: Any, extra_dirs: Sequence[str | Path] = ()
                      ) -> list[dict[str, Any]]:
    """``[{"id", "sha256"}]`` for a resolved profile and each parent it extends."""
    from devid._profiles import ProfileError, load_profile

    out: list[dict[str, Any]] = []
    source = getattr(profile, "source", None)
    dirs = [*extra_dirs, *([Path(source).parent] if source else [])]
    for n, pid in enumerate(getattr(profile, "lineage", ()) or (profile.id,)):
        path: Path | None = Path(source) if n == 0 and source else None
        if path is None:
            try:
                path = load_profile(pid, extra_dirs=dirs).source
            except (ProfileError, OSError):
                path = None
        out.append({"id": pid, "sha256": file_sha256(path) if path else None})
    return out


def profiles_by_id(ids: Iterable[Any], extra_dirs: Sequence[str | Path] = ()
                   ) -> list[dict[str, Any]]:
    """:func:`profile_documents` of each profile id or resolved profile (deduplicated, in
    order); an id that does not resolve is listed with ``sha256`` ``null``."""
    from devid._profiles import ProfileError, load_profile

    seen: dict[str, dict[str, Any]] = {}
    for pid in ids:
        if pid is not None and not isinstance(pid, str):  # a resolved Profile
            for doc in profile_documents(pid, extra_dirs):
                seen.setdefault(doc["id"], doc)
            continue
        if not pid or pid in seen:
            continue
        try:
            docs = profile_documents(load_profile(pid, extra_dirs=list(extra_dirs)), extra_dirs)
        except (ProfileError, OSError, ValueError):
            docs = [{"id": pid, "sha256": None}]
        for doc in docs:
            seen.setdefault(doc["id"], doc)
    return list(seen.values())


def _plain(value: Any) -> Any:
    if isinstance(value, str):
        return _USERINFO.sub(r"\1", value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)


def clean_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """The options, JSON-able, with secret-looking values redacted."""
    return {k: ("<redacted>" if _SECRET.search(k) and v not in (None, False, ())
                else _plain(v)) for k, v in options.items()}


def _iso(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat()


def build_trace(*, started: datetime, finished: datetime | None = None,
                profiles: Sequence[Mapping[str, Any]] = (), trust: TrustStore | None = None,
                command: str = "devid", options: Mapping[str, Any] | None = None,
                results_chain: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The ``trace`` object of a report (see the module doc)."""
    out: dict[str, Any] = {
        "devid_version": devid_version(),
        "time_source": TIME_SOURCE,
        "started": _iso(started),
        "finished": _iso(finished or datetime.now(UTC)),
        "profiles": [dict(p) for p in profiles],
        "trust_store": ({"sha256": trust_sha256(trust), "anchors": len(trust)}
                        if trust is not None else None),
        "command": command,
        "options": clean_options(options or {}),
    }
    if results_chain is not None:
        out["results_chain"] = dict(results_chain)
    return out


def trace_lines(trace: Mapping[str, Any]) -> list[str]:
    """The trace as short lines of text (the HTML footer)."""
    lines = [f"devid {trace.get('devid_version')}; {trace.get('command')}; "
             f"time source: {trace.get('time_source')}; started {trace.get('started')}, "
             f"finished {trace.get('finished')}"]
    profiles = trace.get("profiles") or []
    if profiles:
        lines.append("profiles: " + ", ".join(
            f"{p.get('id')} (SHA-256 {p.get('sha256') or 'unknown'})" for p in profiles))
    trust = trace.get("trust_store")
    lines.append(f"trust store: {trust['anchors']} anchor(s), SHA-256 {trust['sha256']}"
                 if trust else "trust store: none")
    chain = trace.get("results_chain")
    if chain:
        lines.append(f"results chain: {chain.get('state')}, {chain.get('rows')} row(s), "
                     f"head {chain.get('head') or '-'}")
    options = trace.get("options") or {}
    given = {k: v for k, v in options.items() if v not in (None, False, (), [])}
    if given:
        lines.append("options: " + "; ".join(f"{k}={v}" for k, v in given.items()))
    return lines


__all__ = [
    "TIME_SOURCE",
    "build_trace",
    "clean_options",
    "devid_version",
    "file_sha256",
    "profile_documents",
    "profiles_by_id",
    "trace_lines",
    "trust_sha256",
]
