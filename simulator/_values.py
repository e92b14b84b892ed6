"""Plausible property values: a start inside the range, then small random walks."""

from __future__ import annotations

import random
from typing import Any

from devid._profiles import PropertySpec, example_value


def _span(spec: PropertySpec) -> tuple[float | None, float | None]:
    return spec.minimum, spec.maximum


def _clamp(value: float, spec: PropertySpec) -> float:
    lo, hi = _span(spec)
    if lo is not None and value < lo:
        value = lo
    if hi is not None and value > hi:
        value = hi
    return value


def initial_value(name: str, spec: PropertySpec, rng: random.Random) -> Any:
    """A starting value valid for ``spec``: room temperature for ``Cel``, mid-range else."""
    lo, hi = _span(spec)
    if spec.type in ("number", "integer") and not spec.enum:
        if name == "uptime":
            return 0
        if spec.unit == "Cel" and (lo is None or lo <= 18) and (hi is None or hi >= 25):
            value = rng.uniform(19.0, 24.0)
        elif spec.unit == "%" and name.startswith("battery"):
            value = rng.uniform(60, 100)
        elif lo is not None and hi is not None:
            value = rng.uniform(lo + 0.35 * (hi - lo), lo + 0.65 * (hi - lo))
        elif lo is not None:
            value = lo + rng.uniform(0, 10)
        elif hi is not None:
            value = hi - rng.uniform(0, 10)
        else:
            value = rng.uniform(0, 10)
        value = _clamp(value, spec)
        return round(value) if spec.type == "integer" else round(value, 2)
    if spec.enum:
        return rng.choice(list(spec.enum))
    if spec.type == "boolean":
        return rng.random() < 0.5
    if spec.type == "string" and spec.format is not None:
        return example_value(spec)  # a well-formed identifier of its scheme
    if spec.type == "string":
        n = max(spec.min_length or 0, min(8, spec.max_length if spec.max_length else 8))
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(n))
    if spec.type == "bytes":
        return bytes(rng.getrandbits(8) for _ in range(spec.min_length or 0))
    return example_value(spec)


def next_value(name: str, spec: PropertySpec, current: Any, rng: random.Random,
               dt: float) -> Any:
    """The value ``dt`` seconds later: a bounded random walk (numbers), rare changes else."""
    if spec.type in ("number", "integer") and not spec.enum and isinstance(current, int | float):
        if name == "uptime":
            return int(current + dt)
        lo, hi = _span(spec)
        if spec.unit == "%" and name.startswith("battery"):
            return int(_clamp(current - (1 if rng.random() < 0.002 * dt else 0), spec))
        if spec.type == "integer":
            if rng.random() < 0.3:
                return int(_clamp(int(current) + rng.choice((-1, 1)), spec))
            return int(current)
        scale = (hi - lo) * 0.004 if lo is not None and hi is not None else 0.2
        return round(_clamp(current + rng.gauss(0.0, scale), spec), 2)
    if spec.enum and rng.random() < 0.03:
        return rng.choice(list(spec.enum))
    if spec.type == "boolean" and rng.random() < 0.03:
        return not current
    return current


__all__ = ["initial_value", "next_value"]
