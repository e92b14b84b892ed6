"""The hash chain of a run's stored results (results schema 3). Pure.

Each result row of a run carries ``seq`` (1, 2, ... in the order rows were written),
``prev_hash`` (the ``row_hash`` of the run's previous row; for ``seq`` 1 the run's
*genesis* hash) and ``row_hash``::

    genesis  = SHA-256(JSON ["devid-results-run/1", run_id, profile, started])
    row_hash = SHA-256(JSON ["devid-results-row/1", prev_hash, seq, run_id, device_urn,
                             test_id, test_name, status, findings, duration, started,
                             reason])

JSON here is ``json.dumps(..., ensure_ascii=False, separators=(",", ":"))`` in UTF-8;
``findings`` is the stored JSON text and ``started`` the stored ISO text, so the hash
covers the bytes as stored. The run keeps the newest hash and the row count
(``chain_head``, ``chain_rows``). :func:`walk` checks a run's rows against all of
that; anyone with this module can rebuild a consistent chain after editing the
store, so the chain catches edits made with SQL tools, and a signed report that
carries the head (its ``trace.results_chain``) pins the store's state for good.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from devid._findings import Finding, finding

#: One stored row, in the order of ``_store._ROW``: run_id, device_urn, test_id,
#: test_name, status, findings, duration, started, reason, seq, prev_hash, row_hash.
Row = tuple[Any, ...]

CHAINED = "chained"
NOT_CHAINED = "not chained"
TAMPERED = "tampered"


def _sha(parts: list[Any]) -> str:
    text = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def genesis(run_id: str, profile: str, started: str) -> str:
    """The hash the first row of a run links to (covers the run's id, profile, start)."""
    return _sha(["devid-results-run/1", run_id, profile, started])


def row_hash(prev: str, seq: int, content: Sequence[Any]) -> str:
    """The hash of one row: ``content`` is (run_id, device_urn, test_id, test_name, status,
    findings, duration, started, reason) as stored."""
    run_id, urn, test_id, name, status, findings, duration, started, reason = content
    return _sha(["devid-results-row/1", prev, int(seq), run_id, urn, test_id, name, status,
                 findings, float(duration), started, reason or ""])


@dataclass(frozen=True)
class ChainVerdict:
    """What :func:`walk` found for one run.

    ``state``: ``chained`` (intact), ``not chained`` (stored before results schema 3)
    or ``tampered`` (an error finding). ``rows`` counts the chained rows (replaced ones
    included), ``head`` is the last hash; ``adopted`` the rows chained when an older
    run was resumed.
    """

    run_id: str
    number: int
    state: str
    rows: int
    head: str | None
    adopted: int
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        return self.state != TAMPERED

    def to_dict(self) -> dict[str, Any]:
        return {"run": self.number, "run_id": self.run_id, "state": self.state,
                "rows": self.rows, "head": self.head, "adopted": self.adopted,
                "findings": [f.to_dict() for f in self.findings]}


def walk(run: Sequence[Any], rows: Sequence[Row], replaced: Sequence[Row]) -> ChainVerdict:
    """Check one run's chain. ``run`` is (run_id, profile, started, number, chain_rows,
    chain_head, chain_adopted) as stored; ``rows`` its rows in ``results``; ``replaced``
    its rows in ``replaced``."""
    run_id, profile, started, number, chain_rows, chain_head, adopted = run
    subject = f"run {number}"
    out: list[Finding] = []

    def bad(code: str, message: str, **evidence: Any) -> None:
        out.append(finding(code, message, subject=subject, evidence=evidence))

    every = [*rows, *replaced]
    unchained = [r for r in every if r[9] is None or r[10] is None or r[11] is None]
    chained = sorted((r for r in every if r[9] is not None and r[10] is not None
                      and r[11] is not None), key=lambda r: int(r[9]))
    if chain_rows is None:
        if not chained:
            note = finding("REPORT-CHAIN-NONE",
                           f"the {len(every)} result(s) of run {number} were stored before "
                           "results schema 3: not chained (cannot be checked for tampering)",
                           subject=subject, evidence={"rows": len(every)})
            return ChainVerdict(run_id, number, NOT_CHAINED, 0, None, 0, (note,))
        bad("REPORT-CHAIN-BROKEN", f"run {number} has hashed results but no chain record "
            "(its chain_rows/chain_head were removed)", rows=len(chained))
    for r in unchained:
        bad("REPORT-CHAIN-BROKEN", f"a result without hashes in a chained run: {r[1]} "
            f"{r[2]} was inserted or had its hashes removed", device=r[1], test=r[2])
    expected = genesis(run_id, profile, started)
    want_seq = 1
    seen_seqs: set[int] = set()
    for r in chained:
        seq, prev, stored = int(r[9]), r[10], r[11]
        where = {"seq": seq, "device": r[1], "test": r[2]}
        if seq in seen_seqs:
            bad("REPORT-CHAIN-BROKEN", f"two results claim position {seq} of the chain "
                f"({r[1]} {r[2]} was copied or inserted)", **where)
        elif seq != want_seq:
            missing = seq - want_seq
            bad("REPORT-CHAIN-BROKEN", f"position {want_seq}"
                + (f"-{seq - 1}" if missing > 1 else "") + f" of the chain is missing "
                f"({missing} result(s) deleted before {r[1]} {r[2]})", **where)
        elif prev != expected:
            if seq == 1:
                bad("REPORT-CHAIN-ALTERED", f"run {number}'s id, profile or start time was "
                    "changed after its first result was recorded", **where)
            else:
                bad("REPORT-CHAIN-BROKEN", f"{r[1]} {r[2]} (position {seq}) does not follow "
                    "the result before it (a result was replaced or moved)", **where)
        if row_hash(prev, seq, r[:9]) != stored:
            bad("REPORT-CHAIN-ALTERED", f"the result {r[1]} {r[2]} (position {seq}) was "
                "edited after it was recorded (its content no longer matches its hash)",
                **where)
        seen_seqs.add(seq)
        expected = stored
        want_seq = max(want_seq, seq + 1)
    if chain_rows is not None:
        last, recorded = want_seq - 1, int(chain_rows)
        if last < recorded or (last == recorded and expected != chain_head and not out):
            bad("REPORT-CHAIN-TRUNCATED", f"run {number} recorded {recorded} chained "
                f"result(s) but its chain ends at position {last}: the last result(s) were "
                "deleted", recorded=recorded, found=last)
        elif last > recorded:
            bad("REPORT-CHAIN-BROKEN", f"run {number} recorded {recorded} chained result(s) "
                f"but its chain runs to position {last}: result(s) were added",
                recorded=recorded, found=last)
    # a replaced row must have been replaced by a later result of the same test
    for r in replaced:
        if r[9] is None:
            continue
        later = [x for x in chained if (x[1], x[2]) == (r[1], r[2]) and int(x[9]) > int(r[9])]
        if not later:
            bad("REPORT-CHAIN-BROKEN", f"the result {r[1]} {r[2]} (position {r[9]}) was moved "
                "out of the results without being re-recorded", device=r[1], test=r[2])
    if out:
        return ChainVerdict(run_id, number, TAMPERED, len(seen_seqs), chain_head,
                            int(adopted or 0), tuple(out))
    notes: list[Finding] = []
    if adopted:
        notes.append(finding("REPORT-CHAIN-ADOPTED",
                             f"the first {adopted} result(s) of run {number} were stored "
                             "before results schema 3 and chained when the run was resumed",
                             subject=subject, evidence={"adopted": int(adopted)}))
    return ChainVerdict(run_id, number, CHAINED, len(seen_seqs), chain_head, int(adopted or 0),
                        tuple(notes))


__all__ = ["CHAINED", "NOT_CHAINED", "TAMPERED", "ChainVerdict", "genesis", "row_hash", "walk"]
