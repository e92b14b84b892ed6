"""Smoke-size fuzzing of every public entry point (issue 13; Matter has its own suite).

Hypothesis draws a seed and a few mutations (bit flips, truncation, splicing, inflated
length fields, deep nesting, duplicated segments, algorithm substitutions, non-UTF-8;
see ``harness.py``). Each input must end in findings or the exception type its entry
point documents, within :data:`harness.TIME_LIMIT_S`. ``benchmarks/fuzz.py`` runs the
same harness at millions of inputs.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz import harness
from tests.fuzz.harness import ENTRIES, KINDS, TIME_LIMIT_S, make_input, seeds

OPS = st.lists(
    st.tuples(st.integers(0, len(KINDS) - 1), st.integers(0, 2**24 - 1),
              st.integers(0, 2**16 - 1), st.integers(0, 2**16 - 1)),
    min_size=1, max_size=4)

#: Examples per entry point: the whole directory stays well under a minute.
EXAMPLES = {"profile": 30, "multicheck": 60, "ha": 80}
DEFAULT_EXAMPLES = 120


def _warm(name: str) -> None:
    """First calls pay for imports, pydantic schemas and caches: not the input's time."""
    for seed in seeds(name)[:3]:
        ENTRIES[name].check(seed)


def _fuzz(name: str) -> None:
    _warm(name)

    @settings(max_examples=EXAMPLES.get(name, DEFAULT_EXAMPLES), deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(index=st.integers(0, 10_000), ops=OPS)
    def run(index: int, ops: list[tuple[int, int, int, int]]) -> None:
        data = make_input(name, index, ops)
        elapsed = ENTRIES[name].check(data)  # AssertionError on an undocumented exception
        assert elapsed <= TIME_LIMIT_S, f"{name}: {elapsed:.3f} s for {data[:80]!r}..."

    run()


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_entry_point_survives_mutations(name: str) -> None:
    _fuzz(name)


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_seeds_run_clean(name: str) -> None:
    """The unmutated seeds are real inputs of the entry point and run through it."""
    pool = seeds(name)
    assert pool, name
    for seed in pool:
        assert ENTRIES[name].check(seed) <= TIME_LIMIT_S * 4  # first calls warm caches


def test_harness_reports_an_undocumented_exception() -> None:
    def broken(data: bytes) -> None:
        raise KeyError(data[:1])

    entry = harness.Entry("broken", broken, lambda: [b"x"], (ValueError,))
    with pytest.raises(AssertionError, match="KeyError"):
        entry.check(b"x")
    documented = harness.Entry("documented", int, lambda: [b"x"], (ValueError,))
    documented.check(b"x")  # int(b"x") raises ValueError: documented, passes


def test_mutations_reach_their_shapes() -> None:
    seed = bytes(range(64))
    kind = {k: i for i, k in enumerate(KINDS)}
    assert harness.mutate(seed, [(kind["truncate"], 10, 0, 0)]) == seed[:10]
    nested = harness.mutate(seed, [(kind["nest"], 99, 0, 0)])
    assert nested.startswith(b"\x81" * 100)
    inflated = harness.mutate(b"\x58\x02ab", [(kind["inflate"], 0, 0, 0)])
    assert inflated[:5] == b"\x5a\xff\xff\xff\xff"
    dup = harness.mutate(seed, [(kind["dup"], 0, 3, 0)])
    assert dup[:8] == seed[:4] + seed[:4]
    patched = harness.mutate(b"\xa1\x01\x26", [(kind["patch"], 0, 0, 0)],
                             patches=harness.COSE_PATCHES)
    assert patched == b"\xa1\x01\x39\x03\xe6"
    assert harness.mutate(seed, [(kind["flip"], 1, 0, 0)])[1] == 0


def test_cose_vectors_are_read_in_place() -> None:
    from tests.plugins.vectors import vectors_dir

    vectors_dir("cose-wg")  # fails in CI, skips elsewhere, when missing
    assert len(harness.cose_vectors()) >= 10
