"""Fuzz campaign over devid's public entry points (issue 13): mutated seeds, on demand.

For each entry point (``tests/fuzz/harness.py``: CBOR decode, COSE_Sign1, identity
tokens, certificates, TXT parsers, capture files, the check engine, profile lint,
identifiers, MQTT discovery, Home Assistant, Homie) runs ``--inputs`` mutated seeds in a
process pool and prints inputs/s, unexpected exceptions (each saved as a reproducer under
``--out``), the slowest input, peak RSS and RSS growth (a worker's RSS at the end of the
run minus its RSS after its first chunk; "2nd half": the same from the middle of the run,
where the bounded caches are full, so a leak shows there and a filling cache does not).

    python3 benchmarks/fuzz.py --inputs 1000000              # every entry point
    python3 benchmarks/fuzz.py --entry cbor --entry cose --inputs 100000
    python3 benchmarks/fuzz.py --smoke                        # a few hundred each

Exit status 1 when any unexpected exception, any input over the time limit (0.5 s) or an
RSS growth over ``--max-growth-mb`` was seen. The input of a run is reproducible:
input ``i`` of entry ``E`` is ``make_input(E, i, random_ops(Random(f"{seed}:{E}:{i}")))``.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import random
import resource
import signal
import sys
import time
import traceback
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.fuzz.harness import (  # noqa: E402
    ENTRIES,
    TIME_LIMIT_S,
    make_input,
    random_ops,
    seeds,
    world,
)

HANG_S = 10.0  # an input still running after this is abandoned as a hang
CHUNK = 2_000


class _Hang(Exception):
    pass


def _alarm(_sig: int, _frame: FrameType | None) -> None:
    raise _Hang


def _rss_mb() -> float:
    """Current resident set size of this process (Linux /proc; else the peak)."""
    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):  # pragma: no cover - not Linux
        return _peak_mb()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Chunk:
    entry: str
    first: int
    count: int
    seed: str
    out: str
    pid: int = 0
    seconds: float = 0.0
    slowest: float = 0.0
    slowest_index: int = -1
    over_limit: int = 0
    failures: list[tuple[int, str, str]] = field(default_factory=list)  # (index, what, file)
    rss_mb: float = 0.0
    peak_mb: float = 0.0


def _save(out: str, entry: str, data: bytes, what: str, detail: str) -> str:
    path = Path(out)
    path.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha1(data).hexdigest()[:16]
    target = path / f"{entry}-{what}-{digest}.bin"
    target.write_bytes(data)
    target.with_suffix(".txt").write_text(detail)
    return str(target)


def run_chunk(chunk: Chunk) -> Chunk:
    warnings.simplefilter("ignore")  # cryptography warns about odd certificates it parses
    entry = ENTRIES[chunk.entry]
    world()
    seeds(chunk.entry)
    signal.signal(signal.SIGALRM, _alarm)
    start = time.perf_counter()
    for i in range(chunk.first, chunk.first + chunk.count):
        ops = random_ops(random.Random(f"{chunk.seed}:{chunk.entry}:{i}"))
        data = make_input(chunk.entry, i, ops)
        signal.setitimer(signal.ITIMER_REAL, HANG_S)
        t0 = time.perf_counter()
        try:
            elapsed = entry.check(data)
        except _Hang:
            elapsed = time.perf_counter() - t0
            chunk.failures.append((i, "hang", _save(chunk.out, chunk.entry, data, "hang",
                                                    f"input {i}: still running after {HANG_S} s")))
        except AssertionError as exc:
            elapsed = time.perf_counter() - t0
            detail = "".join(traceback.format_exception(exc.__cause__ or exc))
            chunk.failures.append((i, str(exc)[:200], _save(chunk.out, chunk.entry, data,
                                                            "exception", detail)))
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        if elapsed > chunk.slowest:
            chunk.slowest, chunk.slowest_index = elapsed, i
        if elapsed > TIME_LIMIT_S:
            chunk.over_limit += 1
            chunk.failures.append((i, f"slow: {elapsed:.3f} s", _save(
                chunk.out, chunk.entry, data, "slow", f"input {i}: {elapsed:.3f} s")))
    chunk.seconds = time.perf_counter() - start
    chunk.pid = os.getpid()
    chunk.rss_mb = _rss_mb()
    chunk.peak_mb = _peak_mb()
    return chunk


@dataclass
class Summary:
    entry: str
    inputs: int
    wall: float
    cpu: float
    slowest: float
    failures: list[tuple[int, str, str]]
    over_limit: int
    peak_mb: float
    growth_mb: float
    late_growth_mb: float

    def line(self) -> str:
        rate = self.inputs / self.wall if self.wall else 0.0
        exc = sum(1 for f in self.failures if not f[1].startswith("slow"))
        return (f"{self.entry:16} {self.inputs:>10,} inputs  {rate:>9,.0f} inputs/s  "
                f"unexpected {exc:>3}  slowest {self.slowest * 1000:8.1f} ms  "
                f"over {TIME_LIMIT_S} s {self.over_limit:>3}  peak RSS {self.peak_mb:7.1f} MB  "
                f"growth {self.growth_mb:+6.1f} MB (2nd half {self.late_growth_mb:+5.1f})")


def run_entry(pool: multiprocessing.pool.Pool | None, entry: str, inputs: int, seed: str,
              out: str) -> Summary:
    chunks = [Chunk(entry, first, min(CHUNK, inputs - first), seed, out)
              for first in range(0, inputs, CHUNK)]
    start = time.perf_counter()
    done = pool.imap_unordered(run_chunk, chunks) if pool is not None else map(run_chunk, chunks)
    first_rss: dict[int, float] = {}
    half_rss: dict[int, float] = {}
    last_rss: dict[int, float] = {}
    results: list[Chunk] = []
    finished = 0
    for c in done:
        results.append(c)
        finished += c.count
        first_rss.setdefault(c.pid, c.rss_mb)
        if finished > inputs // 2:
            half_rss.setdefault(c.pid, c.rss_mb)
        last_rss[c.pid] = c.rss_mb
    wall = time.perf_counter() - start
    slowest = max(results, key=lambda c: c.slowest)
    return Summary(
        entry, inputs, wall, sum(c.seconds for c in results), slowest.slowest,
        [f for c in results for f in c.failures], sum(c.over_limit for c in results),
        max(c.peak_mb for c in results),
        max(last_rss[p] - first_rss[p] for p in last_rss),
        max(last_rss[p] - half_rss.get(p, last_rss[p]) for p in last_rss),
    )


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--inputs", type=int, default=1_000_000, help="inputs per entry point")
    ap.add_argument("--entry", action="append", choices=sorted(ENTRIES),
                    help="entry point (repeatable; default: all)")
    ap.add_argument("--smoke", action="store_true", help="300 inputs per entry point, one process")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    ap.add_argument("--out", default="fuzz-reproducers", help="directory for reproducers")
    ap.add_argument("--seed", default="devid", help="campaign seed (inputs are reproducible)")
    ap.add_argument("--max-growth-mb", type=float, default=16.0,
                    help="RSS growth of a worker over the 2nd half of the run that counts "
                         "as a leak")
    args = ap.parse_args(argv)
    inputs = 300 if args.smoke else args.inputs
    jobs = 1 if args.smoke else max(1, args.jobs)
    names = args.entry or list(ENTRIES)
    print(f"devid fuzz: {inputs:,} inputs per entry point, {jobs} process(es), seed "
          f"{args.seed!r}, reproducers -> {args.out}", flush=True)
    bad = 0
    ctx = multiprocessing.get_context("fork") if hasattr(os, "fork") else None
    for name in names:
        if jobs > 1 and ctx is not None:
            with ctx.Pool(jobs) as pool:  # a fresh pool per entry: its own RSS figures
                summary = run_entry(pool, name, inputs, args.seed, args.out)
        else:
            summary = run_entry(None, name, inputs, args.seed, args.out)
        print(summary.line(), flush=True)
        for index, what, path in summary.failures[:10]:
            print(f"    input {index}: {what} -> {path}", flush=True)
        if summary.failures or summary.late_growth_mb > args.max_growth_mb:
            bad += 1
    print("result:", "FAIL" if bad else "ok", flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
