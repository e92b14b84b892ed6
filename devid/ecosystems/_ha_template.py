"""The subset of Home Assistant value templates devid evaluates (docs/ha.md). Pure.

Three forms are evaluated, never anything else (no guessing):

- ``{{ value }}``: the payload text;
- ``{{ value_json.a.b }}``, ``{{ value_json['a'] }}`` and chains of both (``.name``,
  ``['key']``, ``["key"]``, ``[0]``): a path into the JSON payload.

A path is compiled once into a tuple of keys walked without Jinja (the per-message fast
path). When a step names something the Jinja sandbox would resolve as an attribute of
the object (``value_json.items``, ``value_json.real``), the template is rendered in a
:class:`jinja2.sandbox.ImmutableSandboxedEnvironment` instead, compiled once.

Other templates are parsed (for syntax and undefined names at config time) but their
messages are reported as not evaluated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

import jinja2
import jinja2.meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

from devid.ecosystems._ha_tables import HA_TEMPLATE_GLOBALS, STATE_TEMPLATE_VARIABLES

MISSING: Final = object()
"""A path step found nothing (Jinja's undefined)."""

# Names the sandbox resolves as attributes of a JSON value (dict, list, str, numbers,
# bool, None) before trying a key: such a path goes to the sandbox.
_ATTRIBUTE_NAMES: frozenset[str] = frozenset(
    name for typ in (dict, list, str, int, float, bool, type(None)) for name in dir(typ))

_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_STEP = (rf"\.(?P<a>{_IDENT})|\[\s*'(?P<s>[^'\\]*)'\s*\]|\[\s*\"(?P<d>[^\"\\]*)\"\s*\]"
         r"|\[\s*(?P<i>[0-9]{1,9})\s*\]")
_STEP_RE = re.compile(_STEP)
_PATH_RE = re.compile(rf"\{{\{{\s*value_json((?:{_STEP})+)\s*\}}\}}")
_VALUE_RE = re.compile(r"\{\{\s*value\s*\}\}")

class _AnyName(dict[str, Any]):
    """Filters/tests: HA defines many Jinja does not; parsing must not reject them."""

    def __contains__(self, key: object) -> bool:
        return True

    def __missing__(self, key: str) -> Any:
        return _no_op


def _no_op(*args: Any, **kwargs: Any) -> None:
    return None


_PARSER = jinja2.Environment(  # noqa: S701 - parses only; nothing is rendered here
    extensions=["jinja2.ext.loopcontrols", "jinja2.ext.do"])
_PARSER.filters = _AnyName(_PARSER.filters)
_PARSER.tests = _AnyName(_PARSER.tests)
_SANDBOX = ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined)


@dataclass(frozen=True, slots=True)
class TemplatePlan:
    """How devid evaluates one value template.

    ``mode``: ``"value"`` (the payload text), ``"path"`` (walk :attr:`path`),
    ``"sandbox"`` (render :attr:`compiled`), ``"empty"`` (renders nothing) or
    ``"other"`` (not evaluated).
    """

    mode: str
    path: tuple[str | int, ...] = ()
    compiled: jinja2.Template | None = None

    @property
    def needs_json(self) -> bool:
        return self.mode in ("path", "sandbox")


_OTHER = TemplatePlan("other")
_VALUE = TemplatePlan("value")
_EMPTY = TemplatePlan("empty")


_CACHE_MAX_CHARS = 2048


def plan_template(template: str) -> TemplatePlan:
    """The evaluation plan of ``template`` (cached when short: configs repeat templates)."""
    if len(template) > _CACHE_MAX_CHARS:
        return _plan(template)
    return _plan_cached(template)


@lru_cache(maxsize=2048)
def _plan_cached(template: str) -> TemplatePlan:
    return _plan(template)


def _plan(template: str) -> TemplatePlan:
    if template == "":
        return _EMPTY
    if _VALUE_RE.fullmatch(template):
        return _VALUE
    m = _PATH_RE.fullmatch(template)
    if m is None:
        return _OTHER
    path: list[str | int] = []
    sandbox = False
    for step in _STEP_RE.finditer(m.group(1)):
        if step.group("i") is not None:
            path.append(int(step.group("i")))
            continue
        key = step.group("a")
        if key is None:
            key = step.group("s") if step.group("s") is not None else step.group("d")
        if key in _ATTRIBUTE_NAMES:
            sandbox = True
        path.append(key)
    if sandbox:
        try:
            compiled = _SANDBOX.from_string(template)
        except jinja2.TemplateError:
            return _OTHER
        return TemplatePlan("sandbox", tuple(path), compiled)
    return TemplatePlan("path", tuple(path))


def walk(data: Any, path: tuple[str | int, ...]) -> Any:
    """Follow ``path`` into a JSON value as the Jinja sandbox would; :data:`MISSING`
    when a step finds nothing (the path holds no name the sandbox reads as an attribute).
    """
    v = data
    for key in path:
        t = type(v)
        if t is dict:
            v = v.get(key, MISSING)
            if v is MISSING:
                return MISSING
        elif (t is list or t is str) and type(key) is int:
            if key >= len(v):
                return MISSING
            v = v[key]
        else:
            return MISSING
    return v


def render_sandbox(plan: TemplatePlan, text: str, data: Any) -> Any:
    """Render a sandbox plan; :data:`MISSING` when it reads something undefined."""
    assert plan.compiled is not None
    try:
        return plan.compiled.render(value=text, value_json=data)
    except Exception:  # any render failure is HA's undefined/error case
        return MISSING


@dataclass(frozen=True, slots=True)
class TemplateCheck:
    """What parsing a template found: ``error`` (syntax) and names it leaves undefined."""

    error: str | None
    undefined: tuple[str, ...]


def check_template(template: str, value_template: bool) -> TemplateCheck:
    """Parse ``template`` as HA's template environment would (syntax only: HA's own
    filters and tests are not known here, so they are not checked). For a value
    template (``value_template``), also list the variables it reads that HA does not
    provide."""
    if len(template) > _CACHE_MAX_CHARS:
        return _check(template, value_template)
    return _check_cached(template, value_template)


@lru_cache(maxsize=2048)
def _check_cached(template: str, value_template: bool) -> TemplateCheck:
    return _check(template, value_template)


def _check(template: str, value_template: bool) -> TemplateCheck:
    try:
        ast = _PARSER.parse(template)
    except jinja2.TemplateSyntaxError as exc:
        return TemplateCheck(f"line {exc.lineno}: {exc.message}", ())
    except (RecursionError, MemoryError):
        return TemplateCheck("template too deeply nested", ())
    if not value_template:
        return TemplateCheck(None, ())
    try:
        names = jinja2.meta.find_undeclared_variables(ast)
    except (jinja2.TemplateError, RecursionError):
        return TemplateCheck(None, ())
    unknown = sorted(n for n in names
                     if n not in STATE_TEMPLATE_VARIABLES and n not in HA_TEMPLATE_GLOBALS)
    return TemplateCheck(None, tuple(unknown))


def rendered(v: Any) -> str:
    """The string Jinja renders for a JSON value (``{{ x }}`` is ``str(x)``)."""
    return v if type(v) is str else str(v)
