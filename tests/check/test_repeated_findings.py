"""Issue 14 item 6: a device repeating one fault in every message keeps at most
KEEP_PER_CODE findings of that code; the last says how many more there were. Memory is
bounded by devices x codes, not by messages."""

from __future__ import annotations

import tracemalloc

from devid._check import KEEP_PER_CODE, CheckEngine
from tests.plugins.message_captures import LOCK_URN, Session


def test_a_fault_in_every_message_is_kept_a_few_times_and_counted() -> None:
    s = Session("smart-lock/1")
    s.start()
    engine = CheckEngine(s.profile, header=s.header)
    for m in s.messages:
        engine.feed(m)
    topic = f"devid/1/{LOCK_URN}/state"
    n = 5000
    t = s.t
    for i in range(n):
        engine.feed_raw(t + i * 0.01, topic, b"\xa3\x62ts", True)  # truncated CBOR
    result = engine.finish()
    bad = [f for f in result.findings if f.code == "MSG-CBOR-MALFORMED"]
    assert len(bad) == KEEP_PER_CODE
    assert bad[-1].evidence["more"] == n - KEEP_PER_CODE
    assert f"and {n - KEEP_PER_CODE:,} more like it" in bad[-1].message
    assert bad[-1].evidence["last_t"] == t + (n - 1) * 0.01
    assert all("more" not in f.evidence for f in bad[:-1])


def test_memory_stays_flat_over_many_faulty_messages() -> None:
    s = Session("smart-lock/1")
    engine = CheckEngine(s.profile, header=s.header)
    topic = f"devid/1/{LOCK_URN}/state"

    def feed(start: int, count: int) -> None:
        for i in range(start, start + count):
            engine.feed_raw(1_700_000_000.0 + i, topic, b"\xa3\x62ts", True)

    feed(0, 2000)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        feed(2000, 50_000)
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 1024 * 1024, grown  # was about 2 KB per message: 100 MB here
