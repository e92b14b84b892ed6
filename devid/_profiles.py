"""Device profiles (spec §7): documents, loading, ``extends``, lint.

A profile is a YAML document (``profiles/<name>-<version>.yaml``) that says which
messages a device class sends: state properties (type, UCUM unit, range or
enumeration, required, data class), events and their data, commands with their
arguments and ack deadline, and the heartbeat interval. Documents are validated
with pydantic models that reject unknown keys; errors name the file, the line
and the key. ``extends`` merges a parent (ultimately ``core/1``, which carries
identity, status and heartbeat) into a resolved :class:`Profile`.

Public surface (used by the check engine, the simulator and the test runner)::

    load_profile(id_or_path, extra_dirs=()) -> Profile      # raises ProfileError
    list_profiles(extra_dirs=()) -> list[ProfileSummary]
    lint_profile(path, extra_dirs=()) -> list[Finding]
    profile_json_schema() -> dict

This module is pure (files in, models out): no network, no asyncio.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr
from pydantic import ValidationError as _PydanticError

from devid._findings import Finding, Severity, finding
from devid._identifiers import SchemeName

PROFILE_ID_RE = re.compile(
    r"^(?P<name>[a-z][a-z0-9]*(?:-[a-z0-9]+)*)/(?P<version>[1-9][0-9]{0,5})$")
ARG_REF_PREFIX = "$args."
DEFAULT_ACK_DEADLINE_S = 5.0
MAX_EXTENDS_DEPTH = 8

DataClass = Literal["public", "personal", "sensitive"]
PropType = Literal["boolean", "integer", "number", "string", "enum", "bytes", "object", "array"]
TopicName = Literal["identity", "status", "state"]

# UCUM codes (case-sensitive form, c/s) common in device profiles. A unit outside
# this table is a lint warning, not an error: UCUM is a grammar, not a list.
UCUM_UNITS: frozenset[str] = frozenset({
    "1", "%", "Cel", "K", "[degF]", "W", "kW", "W.h", "kW.h", "V", "mV", "A", "mA", "Hz",
    "VA", "var", "lx", "[ppm]", "[ppb]", "ug/m3", "mg/m3", "Pa", "hPa", "kPa", "bar", "s", "ms",
    "min", "h", "d", "dB", "dB[SPL]", "dB[mW]", "m", "cm", "mm", "km", "deg", "rad", "m/s",
    "km/h", "L", "mL", "m3", "L/min", "m3/h", "g", "kg", "By", "kBy", "MBy", "bit/s", "kbit/s",
    "Mbit/s", "{count}", "/s", "/min", "cd", "lm", "mW", "g/m3", "mm/h",
})


class ProfileError(ValueError):
    """A profile id is unknown or a profile document is invalid (one-line message)."""


# ---------------------------------------------------------------------------------------
# document models (pydantic)
# ---------------------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PropertySpec(_Model):
    """One value: a state property, an event field or a command argument."""

    type: PropType = Field(description="Wire type (CBOR): boolean, integer, number (int or "
                           "float), string, enum (one of `enum`), bytes, object, array.")
    unit: StrictStr | None = Field(
        None, description="UCUM code (case-sensitive), e.g. Cel, %, W, kW.h.")
    minimum: float | None = Field(None, description="Inclusive lower bound (integer, number).")
    maximum: float | None = Field(None, description="Inclusive upper bound (integer, number).")
    enum: tuple[StrictStr | StrictInt, ...] | None = Field(
        None, description="Allowed values (type enum: required; integer/string: optional).")
    min_length: StrictInt | None = Field(
        None, ge=0, description="Minimum length (string, bytes, array).")
    max_length: StrictInt | None = Field(
        None, ge=0, description="Maximum length (string, bytes, array).")
    format: SchemeName | None = Field(
        None, description="Identifier scheme a string must be well-formed in (devid-1 §1): "
                          "urn, ueid (hex), matter (VID[:PID] hex), gb28181 (20 digits).")
    items: PropertySpec | None = Field(None, description="Element spec of an array.")
    properties: dict[str, PropertySpec] | None = Field(
        None, description="Field specs of an object (unknown fields are warnings).")
    required: StrictBool = Field(False, description="Must be present (in every state message, "
                                 "in the event's data, in the command's args).")
    data_class: DataClass = Field("public", description="public, personal or sensitive; "
                                  "sensitive values never travel without TLS.")
    description: StrictStr = ""
    standard: StrictStr | None = Field(None, description="The public standard this follows.")


class EventSpec(_Model):
    """An `event/<name>` topic: its `data` fields."""

    description: StrictStr = ""
    data: dict[str, PropertySpec] = Field(default_factory=dict)
    standard: StrictStr | None = None


class CommandSpec(_Model):
    """A `cmd/<name>` topic: its `args`, ack deadline and declarative effect."""

    description: StrictStr = ""
    args: dict[str, PropertySpec] = Field(default_factory=dict)
    ack_deadline_s: float = Field(DEFAULT_ACK_DEADLINE_S, gt=0, le=3600,
                                  description="The ack must arrive within this many seconds.")
    sets: dict[str, Any] = Field(
        default_factory=dict,
        description="State properties the command sets when it succeeds: a literal value, "
                    "or \"$args.<name>\" for the value of an argument.")
    standard: StrictStr | None = None


class ProfileDocument(_Model):
    """One profile YAML document (the schema `devid profile schema` prints)."""

    id: StrictStr = Field(description="name/version, e.g. smart-lock/1.")
    title: StrictStr = ""
    description: StrictStr = ""
    extends: StrictStr | None = Field(None, description="Parent profile id (core/1 at the root).")
    abstract: StrictBool = Field(False, description="A base profile no device claims directly.")
    heartbeat_s: float | None = Field(None, gt=0, le=86400,
                                      description="state is republished at least this often.")
    retained: tuple[TopicName, ...] | None = Field(
        None,
        description="Topics a device must publish retained (core/1: identity, status, state).")
    standards: tuple[StrictStr, ...] = Field((), description="Standards the profile follows.")
    forbidden_fields: dict[str, StrictStr] = Field(
        default_factory=dict,
        description="Field names that must never appear on the wire (at any depth of state, "
                    "event data or acks), with the reason.")
    properties: dict[str, PropertySpec] = Field(default_factory=dict)
    events: dict[str, EventSpec] = Field(default_factory=dict)
    commands: dict[str, CommandSpec] = Field(default_factory=dict)


PropertySpec.model_rebuild()


def profile_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of profile documents, for editors."""
    schema = ProfileDocument.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "devid profile document"
    return schema


# ---------------------------------------------------------------------------------------
# resolved profiles
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """A resolved profile: ``extends`` merged, ready for checks and simulators."""

    id: str
    title: str
    description: str
    heartbeat_s: float
    properties: Mapping[str, PropertySpec]
    events: Mapping[str, EventSpec]
    commands: Mapping[str, CommandSpec]
    retained: frozenset[str]
    forbidden_fields: Mapping[str, str]
    standards: tuple[str, ...]
    lineage: tuple[str, ...]  # this id first, then each parent up to the root
    abstract: bool = False
    source: Path | None = None

    @property
    def name(self) -> str:
        return self.id.partition("/")[0]

    @property
    def version(self) -> int:
        return int(self.id.partition("/")[2])

    @property
    def required(self) -> tuple[str, ...]:
        """Names of the properties every state message must carry."""
        return tuple(n for n, p in self.properties.items() if p.required)

    def initial_state(self) -> dict[str, Any]:
        """A plausible value for every property (lowest enum value, in-range number).

        Handy for simulators; real devices report their own values.
        """
        return {name: example_value(spec) for name, spec in self.properties.items()}

    def apply_command(self, name: str, args: Mapping[str, Any]) -> dict[str, Any]:
        """The state changes a successful ``cmd/<name>`` makes (its ``sets:``)."""
        command = self.commands.get(name)
        if command is None:
            return {}
        out: dict[str, Any] = {}
        for prop, value in command.sets.items():
            if isinstance(value, str) and value.startswith(ARG_REF_PREFIX):
                arg = value[len(ARG_REF_PREFIX):]
                if arg in args:
                    out[prop] = args[arg]
            else:
                out[prop] = value
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``devid profile show --json``)."""
        def props(m: Mapping[str, PropertySpec]) -> dict[str, Any]:
            return {k: v.model_dump(exclude_none=True) for k, v in m.items()}
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "lineage": list(self.lineage),
            "abstract": self.abstract,
            "heartbeat_s": self.heartbeat_s,
            "retained": sorted(self.retained),
            "standards": list(self.standards),
            "forbidden_fields": dict(self.forbidden_fields),
            "properties": props(self.properties),
            "events": {k: {"description": v.description, "data": props(v.data),
                           **({"standard": v.standard} if v.standard else {})}
                       for k, v in self.events.items()},
            "commands": {k: v.model_dump(exclude_none=True) | {"args": props(v.args)}
                         for k, v in self.commands.items()},
        }


@dataclass(frozen=True)
class ProfileSummary:
    """One line of ``devid profile list``."""

    id: str
    title: str
    extends: str | None
    abstract: bool
    path: Path


def example_value(spec: PropertySpec) -> Any:
    """A value valid for ``spec`` (used by simulators and tests)."""
    if spec.enum:
        return spec.enum[0]
    lo = spec.minimum
    hi = spec.maximum
    if spec.type == "boolean":
        return False
    if spec.type == "integer":
        if lo is not None and hi is not None:
            return math.ceil((lo + hi) / 2) if hi - lo >= 1 else math.ceil(lo)
        return math.ceil(lo) if lo is not None else (math.floor(hi) if hi is not None else 0)
    if spec.type == "number":
        if lo is not None and hi is not None:
            return (lo + hi) / 2
        return float(lo if lo is not None else (hi if hi is not None else 0.0))
    if spec.type == "string":
        if spec.format is not None:
            from devid._identifiers import identifier_example

            return identifier_example(spec.format)
        return "x" * (spec.min_length or 0)
    if spec.type == "bytes":
        return b"\x00" * (spec.min_length or 0)
    if spec.type == "array":
        return []
    if spec.type == "object":
        return {k: example_value(v) for k, v in (spec.properties or {}).items() if v.required}
    return None


# ---------------------------------------------------------------------------------------
# YAML reading with line numbers
# ---------------------------------------------------------------------------------------


def builtin_profile_dir() -> Path:
    """``devid/profiles`` in a wheel; the repository's ``profiles/`` in an editable install."""
    import devid

    packaged = Path(devid.__file__).parent / "profiles"
    if packaged.is_dir():
        return packaged
    return Path(devid.__file__).resolve().parent.parent / "profiles"


#: A profile document larger than this is refused unread. Profiles are a few KiB (the
#: largest shipped one under 4 KiB); ruamel's round-trip parser reads about 150 KB/s, so
#: this bound keeps one lint within its time limit (docs/reliability.md).
MAX_PROFILE_BYTES = 32 * 1024
#: Flow collections (``[`` / ``{``) nested deeper than this are refused before parsing:
#: ruamel parses them recursively, slowly, up to Python's recursion limit.
MAX_FLOW_DEPTH = 64

_FLOW_SKIP = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\n]|\'\')*\'|#[^\n]*')
_FLOW_BRACKET = re.compile(r"[\[\]{}]")


def _flow_depth(text: str) -> int:
    """The deepest nesting of flow brackets outside quoted scalars and comments."""
    depth = deepest = 0
    for m in _FLOW_BRACKET.finditer(_FLOW_SKIP.sub("", text)):
        if m.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif depth:
            depth -= 1
    return deepest


@dataclass
class _RawDoc:
    path: Path
    data: Any  # ruamel CommentedMap (keeps line numbers) or whatever the YAML held


def _read_yaml(path: Path) -> _RawDoc:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_PROFILE_BYTES + 1)
        if len(raw) > MAX_PROFILE_BYTES:
            raise ProfileError(f"{path}: larger than {MAX_PROFILE_BYTES} bytes: not a profile")
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ProfileError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise ProfileError(f"{path}: {exc.strerror or exc}") from None
    if _flow_depth(text) > MAX_FLOW_DEPTH:
        raise ProfileError(f"{path}: flow collections nested deeper than {MAX_FLOW_DEPTH} "
                           "levels: not a profile")
    yaml = YAML(typ="rt")
    try:
        data = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        raise ProfileError(f"{path}{line}: {problem}") from None
    except (YAMLError, RecursionError, ValueError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ProfileError(f"{path}: invalid YAML: {first}") from None
    return _RawDoc(path, data)


#: Nodes a profile document may expand to. YAML aliases are references: a few hundred
#: bytes of nested aliases ("billion laughs") stand for 10^9 nodes once expanded.
MAX_PROFILE_NODES = 100_000


def _plain(value: Any, depth: int = 0, budget: list[int] | None = None) -> Any:
    """ruamel containers to plain dict/list (bounded depth and node count)."""
    if budget is None:
        budget = [MAX_PROFILE_NODES]
    budget[0] -= 1
    if budget[0] < 0:
        raise ProfileError(f"document expands to more than {MAX_PROFILE_NODES:,} nodes "
                           "(nested YAML aliases?): not a profile")
    if depth > 64:
        raise ProfileError("document nested deeper than 64 levels")
    if isinstance(value, Mapping):
        return {k: _plain(v, depth + 1, budget) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, depth + 1, budget) for v in value]
    if isinstance(value, str):
        return str(value)
    if isinstance(value, float):
        return float(value)  # ruamel's ScalarFloat: the checks compare exact types
    if isinstance(value, int) and not isinstance(value, bool):
        return bool(value) if "Bool" in type(value).__name__ else int(value)
    return value


def _line_of(data: Any, loc: Sequence[Any]) -> tuple[int | None, str]:
    """The 1-based line of the item at ``loc`` (pydantic error location) and its key."""
    node = data
    line: int | None = None
    key = ""
    for part in loc:
        lc = getattr(node, "lc", None)
        if isinstance(node, Mapping) and part in node:
            if lc is not None:
                try:
                    line = lc.key(part)[0] + 1
                except (KeyError, AttributeError, TypeError):
                    pass
            key = str(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            if lc is not None:
                try:
                    line = lc.item(part)[0] + 1
                except (KeyError, AttributeError, TypeError):
                    pass
            node = node[part]
        elif isinstance(node, Mapping):
            # the key is absent (missing field) or pydantic named a union branch
            if isinstance(part, str) and part not in ("str", "int", "float", "bool"):
                key = str(part)
            if line is None and lc is not None:
                line = lc.line + 1
            continue
        else:
            continue
    return line, key


def _validation_problems(raw: _RawDoc, exc: _PydanticError) -> list[tuple[int | None, str]]:
    out: list[tuple[int | None, str]] = []
    for err in exc.errors(include_url=False):
        loc = tuple(err.get("loc", ()))
        line, key = _line_of(raw.data, loc)
        path = ".".join(str(p) for p in loc) or "<document>"
        if err.get("type") == "extra_forbidden":
            text = f"unknown key {key!r} at {path}"
        elif err.get("type") == "missing":
            text = f"missing key {key!r} at {path}"
        else:
            text = f"{path}: {err.get('msg', 'invalid')}"
        out.append((line, text))
    return out


def _parse(raw: _RawDoc) -> ProfileDocument:
    """Validate a read document; ``ProfileError`` names the first problem's line."""
    if not isinstance(raw.data, Mapping):
        raise ProfileError(f"{raw.path}: a profile document is a YAML mapping")
    try:
        return ProfileDocument.model_validate(_plain(raw.data))
    except _PydanticError as exc:
        problems = _validation_problems(raw, exc)
        line, text = problems[0]
        where = f"{raw.path}:{line}" if line else str(raw.path)
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ProfileError(f"{where}: {text}{more}") from None


def read_document(path: str | Path) -> ProfileDocument:
    """Read and validate one profile document (not resolved)."""
    return _parse(_read_yaml(Path(path)))


# ---------------------------------------------------------------------------------------
# the index of profiles and resolution
# ---------------------------------------------------------------------------------------


_INDEX_CACHE: dict[tuple[tuple[str, float], ...], dict[str, Path]] = {}
#: Entries each of the two caches keeps (keys hold mtimes: a file rewritten again and
#: again, as by an editor or a fuzz run, adds an entry each time). Oldest out first.
MAX_CACHED = 64


def _remember(cache: dict[Any, Any], key: Any, value: Any) -> None:
    while len(cache) >= MAX_CACHED:
        cache.pop(next(iter(cache)))
    cache[key] = value


def _yaml_files(directory: Path) -> list[Path]:
    try:
        return sorted(p for p in directory.iterdir()
                      if p.suffix in (".yaml", ".yml") and p.is_file())
    except OSError:
        return []


def _index(dirs: Sequence[Path]) -> dict[str, Path]:
    """id -> file over ``dirs`` (earlier directories win). Unreadable files are skipped."""
    files = [p for d in dirs for p in _yaml_files(d)]
    key = tuple((str(p), _mtime(p)) for p in files)
    cached = _INDEX_CACHE.get(key)
    if cached is not None:
        return cached
    index: dict[str, Path] = {}
    for path in files:
        pid = _peek_id(path)
        if pid is not None and pid not in index:
            index[pid] = path
    _remember(_INDEX_CACHE, key, index)
    return index


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


_ID_LINE_RE = re.compile(r"^id:\s*[\"']?([^\"'#\s]+)", re.MULTILINE)


def _peek_id(path: Path) -> str | None:
    try:
        with path.open("rb") as fh:
            text = fh.read(MAX_PROFILE_BYTES).decode("utf-8", "replace")
    except OSError:
        return None
    match = _ID_LINE_RE.search(text)
    return match.group(1) if match else None


def _search_dirs(extra_dirs: Sequence[Path | str]) -> list[Path]:
    return [Path(d) for d in extra_dirs] + [builtin_profile_dir()]


def _looks_like_path(ref: str) -> bool:
    return ref.endswith((".yaml", ".yml")) or "\\" in ref or ref.count("/") > 1 \
        or ref.startswith((".", "~"))


_RESOLVED_CACHE: dict[tuple[str, tuple[str, ...], tuple[tuple[str, float], ...]], Profile] = {}


def load_profile(ref: str | Path, *, extra_dirs: Sequence[Path | str] = ()) -> Profile:
    """The resolved profile ``ref``: an id (``smart-lock/1``) or a YAML file path.

    Ids are looked up in ``extra_dirs`` first, then in the shipped profiles. A file's
    ``extends`` is looked up the same way, plus the file's own directory.
    Raises :class:`ProfileError` with a one-line message.
    """
    text = str(ref)
    if isinstance(ref, Path) or _looks_like_path(text):
        path = Path(text).expanduser()
        if not path.is_file():
            raise ProfileError(f"{text}: " + ("not a regular file" if path.exists()
                                              else "no such profile file"))
        dirs = [*_search_dirs(extra_dirs), path.parent]
        return _resolve_file(path, dirs, ())
    if not PROFILE_ID_RE.match(text):
        raise ProfileError(f"{text!r} is not a profile id (name/version, e.g. smart-lock/1)")
    dirs = _search_dirs(extra_dirs)
    index = _index(dirs)
    if text not in index:
        known = ", ".join(sorted(index)) or "none"
        raise ProfileError(f"unknown profile {text!r} (known: {known})")
    return _resolve_file(index[text], dirs, ())


def _resolve_file(path: Path, dirs: Sequence[Path], chain: tuple[str, ...]) -> Profile:
    files = tuple((str(p), _mtime(p)) for d in dirs for p in _yaml_files(d))
    key = (str(path), tuple(str(d) for d in dirs), (*files, (str(path), _mtime(path))))
    cached = _RESOLVED_CACHE.get(key)
    if cached is not None and not chain:
        return cached
    doc = read_document(path)
    if not PROFILE_ID_RE.match(doc.id):
        raise ProfileError(f"{path}: id {doc.id!r} is not name/version (e.g. smart-lock/1)")
    if doc.id in chain:
        raise ProfileError(f"{path}: extends cycle: {' -> '.join((*chain, doc.id))}")
    if len(chain) >= MAX_EXTENDS_DEPTH:
        raise ProfileError(f"{path}: extends chain deeper than {MAX_EXTENDS_DEPTH}")
    parent: Profile | None = None
    if doc.extends is not None:
        index = _index(dirs)
        parent_path = index.get(doc.extends)
        if parent_path is None:
            raise ProfileError(f"{path}: extends unknown profile {doc.extends!r}")
        parent = _resolve_file(parent_path, dirs, (*chain, doc.id))
    profile = _merge(doc, parent, path)
    if not chain:
        _remember(_RESOLVED_CACHE, key, profile)
    return profile


def _merge(doc: ProfileDocument, parent: Profile | None, path: Path) -> Profile:
    heartbeat = doc.heartbeat_s if doc.heartbeat_s is not None else (
        parent.heartbeat_s if parent is not None else None)
    if heartbeat is None:
        raise ProfileError(f"{path}: no heartbeat_s (neither here nor in a parent)")
    retained = set(parent.retained) if parent is not None else set()
    retained.update(doc.retained or ())
    return Profile(
        id=doc.id,
        title=doc.title or (parent.title if parent else doc.id),
        description=doc.description,
        heartbeat_s=float(heartbeat),
        properties=MappingProxyType({**(parent.properties if parent else {}), **doc.properties}),
        events=MappingProxyType({**(parent.events if parent else {}), **doc.events}),
        commands=MappingProxyType({**(parent.commands if parent else {}), **doc.commands}),
        retained=frozenset(retained),
        forbidden_fields=MappingProxyType(
            {**(parent.forbidden_fields if parent else {}), **doc.forbidden_fields}),
        standards=tuple(dict.fromkeys((*(parent.standards if parent else ()), *doc.standards))),
        lineage=(doc.id, *(parent.lineage if parent else ())),
        abstract=doc.abstract,
        source=path,
    )


def list_profiles(*, extra_dirs: Sequence[Path | str] = ()) -> list[ProfileSummary]:
    """Every profile found (extra directories first, then the shipped ones), by id."""
    out: list[ProfileSummary] = []
    for pid, path in sorted(_index(_search_dirs(extra_dirs)).items()):
        try:
            doc = read_document(path)
        except ProfileError:
            out.append(ProfileSummary(pid, "(invalid document: run devid profile lint)", None,
                                      False, path))
            continue
        out.append(ProfileSummary(doc.id, doc.title, doc.extends, doc.abstract, path))
    return out


# ---------------------------------------------------------------------------------------
# lint
# ---------------------------------------------------------------------------------------


def _lint(path: Path, line: int | None, text: str, code: str = "PROFILE-INVALID") -> Finding:
    where = f"{path}:{line}" if line else str(path)
    evidence: dict[str, Any] = {"file": str(path)}
    if line:
        evidence["line"] = line
    return finding(code, f"{where}: {text}", subject=str(path), evidence=evidence)


def lint_profile(path: str | Path, *, extra_dirs: Sequence[Path | str] = ()) -> list[Finding]:
    """Every problem of one profile document, as findings (empty: clean).

    Schema errors (each unknown key with its line), id form, ranges, enumerations,
    units, ``extends`` resolution, ``sets`` of commands, forbidden fields.
    """
    path = Path(path)
    try:
        raw = _read_yaml(path)
    except ProfileError as exc:
        return [_lint(path, None, str(exc).removeprefix(f"{path}").lstrip(":0123456789 ")
                      or "unreadable")]
    if not isinstance(raw.data, Mapping):
        return [_lint(path, None, "a profile document is a YAML mapping")]
    try:
        doc = ProfileDocument.model_validate(_plain(raw.data))
    except ProfileError as exc:
        return [_lint(path, None, str(exc))]
    except _PydanticError as exc:
        return [_lint(path, line, text) for line, text in _validation_problems(raw, exc)]

    out: list[Finding] = []

    def at(*loc: Any) -> int | None:
        return _line_of(raw.data, loc)[0]

    if not PROFILE_ID_RE.match(doc.id):
        out.append(_lint(path, at("id"), f"id {doc.id!r} is not name/version (e.g. smart-lock/1)"))
    if doc.extends is not None and not PROFILE_ID_RE.match(doc.extends):
        out.append(_lint(path, at("extends"), f"extends {doc.extends!r} is not a profile id"))

    def check_spec(spec: PropertySpec, loc: tuple[Any, ...], depth: int = 0) -> None:
        where = ".".join(str(p) for p in loc)
        line = at(*loc)
        numeric = spec.type in ("integer", "number")
        if spec.type == "enum" and not spec.enum:
            out.append(_lint(path, line, f"{where}: type enum needs a non-empty 'enum' list"))
        if spec.enum is not None:
            if len(set(spec.enum)) != len(spec.enum):
                out.append(_lint(path, line, f"{where}: duplicate values in 'enum'"))
            if spec.type not in ("enum", "string", "integer"):
                out.append(_lint(path, line, f"{where}: 'enum' applies to enum, string or integer"))
            elif spec.type == "string" and not all(isinstance(v, str) for v in spec.enum):
                out.append(_lint(path, line, f"{where}: enum values of a string must be strings"))
            elif spec.type == "integer" and not all(isinstance(v, int) for v in spec.enum):
                out.append(_lint(path, line, f"{where}: enum values of an integer must be "
                                 "integers"))
        if (spec.minimum is not None or spec.maximum is not None) and not numeric:
            out.append(_lint(path, line, f"{where}: minimum/maximum apply to integer and number"))
        if spec.minimum is not None and spec.maximum is not None and spec.minimum > spec.maximum:
            out.append(_lint(path, line,
                             f"{where}: minimum {spec.minimum} > maximum {spec.maximum}"))
        for bound in (spec.minimum, spec.maximum):
            if bound is not None and not math.isfinite(bound):
                out.append(_lint(path, line, f"{where}: bounds must be finite numbers"))
        if (spec.min_length is not None or spec.max_length is not None) and \
                spec.type not in ("string", "bytes", "array"):
            out.append(_lint(path, line, f"{where}: min/max_length apply to string, bytes, array"))
        if spec.min_length is not None and spec.max_length is not None and \
                spec.min_length > spec.max_length:
            out.append(_lint(path, line, f"{where}: min_length > max_length"))
        if spec.unit is not None:
            if not numeric:
                out.append(_lint(path, line, f"{where}: a unit applies to integer and number"))
            elif spec.unit not in UCUM_UNITS:
                out.append(_lint(path, line, f"{where}: unit {spec.unit!r} is not in devid's "
                                 "UCUM table (check the case-sensitive UCUM code)", "PROFILE-UNIT"))
        if spec.format is not None and spec.type != "string":
            out.append(_lint(path, line, f"{where}: 'format' applies to string"))
        if spec.items is not None and spec.type != "array":
            out.append(_lint(path, line, f"{where}: 'items' applies to array"))
        if spec.properties is not None and spec.type != "object":
            out.append(_lint(path, line, f"{where}: 'properties' applies to object"))
        if spec.items is not None and depth < 8:
            check_spec(spec.items, (*loc, "items"), depth + 1)
        for name, sub in (spec.properties or {}).items():
            if depth < 8:
                check_spec(sub, (*loc, "properties", name), depth + 1)
        if spec.description == "" and depth == 0:
            pass  # descriptions are encouraged, not required

    for name, spec in doc.properties.items():
        check_spec(spec, ("properties", name))
    for ename, event in doc.events.items():
        if not re.fullmatch(r"[a-z][a-z0-9-]*", ename):
            out.append(_lint(path, at("events", ename),
                             f"event name {ename!r} is not a topic level"))
        for name, spec in event.data.items():
            check_spec(spec, ("events", ename, "data", name))
    for cname, command in doc.commands.items():
        if not re.fullmatch(r"[a-z][a-z0-9-]*", cname) or cname == "ack":
            out.append(_lint(path, at("commands", cname),
                             f"command name {cname!r} is not a topic level (or is 'ack')"))
        for name, spec in command.args.items():
            check_spec(spec, ("commands", cname, "args", name))
    for name in doc.forbidden_fields:
        if name in doc.properties:
            out.append(_lint(path, at("forbidden_fields", name),
                             f"forbidden field {name!r} is also declared as a property"))
        for ename, event in doc.events.items():
            if name in event.data:
                out.append(_lint(path, at("events", ename, "data", name),
                                 f"forbidden field {name!r} is declared in event {ename!r}"))

    # resolution: extends, heartbeat, sets
    try:
        profile = _resolve_file(path, [*_search_dirs(extra_dirs), path.parent], ())
    except ProfileError as exc:
        out.append(_lint(path, at("extends") if doc.extends else None,
                         str(exc).removeprefix(f"{path}: ")))
        return out
    if not profile.abstract and not profile.lineage[-1].startswith("core/"):
        out.append(_lint(path, at("extends") or at("id"),
                         "a device profile must extend core/1 (directly or through a parent)"))
    for cname, command in doc.commands.items():
        for prop, value in command.sets.items():
            line = at("commands", cname, "sets", prop)
            target = profile.properties.get(prop)
            if target is None:
                out.append(_lint(path, line, f"commands.{cname}.sets: {prop!r} is not a property"))
                continue
            if isinstance(value, str) and value.startswith(ARG_REF_PREFIX):
                arg = value[len(ARG_REF_PREFIX):]
                arg_spec = command.args.get(arg)
                where = f"commands.{cname}.sets.{prop}"
                if arg_spec is None:
                    out.append(_lint(path, line, f"{where}: no argument {arg!r}"))
                elif arg_spec.type != target.type and \
                        not (arg_spec.type == "integer" and target.type == "number"):
                    out.append(_lint(path, line, f"{where}: argument {arg!r} is {arg_spec.type}, "
                                     f"property is {target.type}"))
            else:
                from devid._check import value_problem

                problem = value_problem(target, value)
                if problem is not None:
                    out.append(_lint(path, line, f"commands.{cname}.sets.{prop}: {problem[1]}"))
    return out


def lint_severity_is_error(findings: Sequence[Finding]) -> bool:
    """True when a lint result has an error (``devid profile lint`` then exits 1)."""
    return any(f.severity is Severity.ERROR for f in findings)


__all__ = [
    "CommandSpec",
    "EventSpec",
    "Profile",
    "ProfileDocument",
    "ProfileError",
    "ProfileSummary",
    "PropertySpec",
    "builtin_profile_dir",
    "example_value",
    "lint_profile",
    "list_profiles",
    "load_profile",
    "profile_json_schema",
    "read_document",
]
