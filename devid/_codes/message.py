"""Finding codes of device messages: topics, payloads, timing, profiles (spec §5-7)."""

from __future__ import annotations

from devid._findings import CodeSpec
from devid._findings import Severity as S

CODES: tuple[CodeSpec, ...] = (
    CodeSpec("MSG-CAPTURE-LINE", S.WARNING, "A capture line does not parse as a message record.", "devid-1 §6"),
    CodeSpec("MSG-CAPTURE-EMPTY", S.ERROR, "A capture file holds no message at all (nothing could be checked).", "devid-1 §6"),
    CodeSpec("MSG-BROKER-OUTAGE", S.WARNING, "The recorder lost the broker for a while (an outage marker in the capture): what devices sent meanwhile is missing; silence and seq jumps across the outage are not blamed on devices.", "devid-1 §6; docs/check.md"),
    CodeSpec("MSG-NO-DEVICE", S.ERROR, "The check judged no device of the requested profile or ecosystem; the finding says what the capture held instead.", "docs/check.md (Ecosystems)"),
    CodeSpec("MSG-NOT-JUDGED", S.WARNING, "Messages of an ecosystem were in the capture but not judged (devid/1 traffic when --ecosystem leaves devid out).", "docs/check.md (Ecosystems)"),
    # -- topics and payloads -------------------------------------------------------------
    CodeSpec("MSG-TOPIC", S.ERROR, "The topic is not devid/1/<urn>/<suffix> with a valid device URN and a known suffix.", "devid-1 §1, §5"),
    CodeSpec("MSG-TOO-LARGE", S.ERROR, "The payload is larger than the 64 KiB limit.", "devid-1 §3, §5"),
    CodeSpec("MSG-CBOR-MALFORMED", S.ERROR, "The payload is not one well-formed CBOR data item within devid's limits (64 KiB, nesting 16).", "devid-1 §3, §5; RFC 8949"),
    CodeSpec("MSG-ENVELOPE", S.ERROR, "The payload is not the map its topic requires (ts, seq, props/data, id, args, ok, state, nonce).", "devid-1 §5"),
    # -- profile content -----------------------------------------------------------------
    CodeSpec("MSG-TYPE", S.ERROR, "A value does not have the type its profile declares.", "devid-1 §7"),
    CodeSpec("MSG-RANGE", S.ERROR, "A number lies outside the range (or a text/bytes/array outside the length) its profile declares.", "devid-1 §7"),
    CodeSpec("MSG-ENUM", S.ERROR, "A value is not one of the values its profile enumerates.", "devid-1 §7"),
    CodeSpec("MSG-REQUIRED-MISSING", S.ERROR, "A property, event field or command argument the profile requires is missing.", "devid-1 §7"),
    CodeSpec("MSG-UNKNOWN-PROPERTY", S.WARNING, "A property, event field, command argument or envelope key the profile does not declare.", "devid-1 §7"),
    CodeSpec("MSG-UNKNOWN-EVENT", S.WARNING, "An event the device's profile does not declare.", "devid-1 §5, §7"),
    CodeSpec("MSG-UNKNOWN-COMMAND", S.WARNING, "A command the device's profile does not declare.", "devid-1 §5, §7"),
    CodeSpec("MSG-FORMAT", S.ERROR, "A string value is not a well-formed identifier of the format (scheme) its profile declares.", "devid-1 §1, §7"),
    CodeSpec("MSG-FORBIDDEN-FIELD", S.ERROR, "A field the profile forbids on the wire (e.g. a biometric template) is present.", "devid-1 §7; ISO/IEC 24745"),
    CodeSpec("MSG-SENSITIVE-PLAINTEXT", S.ERROR, "A value of data class sensitive travelled on a session without TLS.", "devid-1 §7"),
    CodeSpec("MSG-PROFILE-UNCLAIMED", S.WARNING, "Without --profile, a device is judged by the profile its identity token claims; this one claimed none (no identity message, or no -70001 claim), so only core/1 was applied (identity, status, envelopes, heartbeat).", "devid-1 §3 (claim -70001), §7; docs/check.md"),
    CodeSpec("MSG-PROFILE-UNKNOWN", S.WARNING, "Without --profile, a device is judged by the profile its identity token claims; devid knows none of the ids it claims (give --profile-dir), so only core/1 was applied.", "devid-1 §3 (claim -70001), §7; docs/check.md"),
    CodeSpec("MSG-PROFILE-OTHER", S.INFO, "The device's identity token claims profiles that do not include the profile applied.", "devid-1 §3 (claim -70001), §7"),
    # -- sequence and timing -------------------------------------------------------------
    CodeSpec("MSG-SEQ-REGRESSION", S.ERROR, "seq did not increase on a topic (a decrease or a repeat with different content).", "devid-1 §5"),
    CodeSpec("MSG-SEQ-GAP", S.WARNING, "seq skipped values on a topic.", "devid-1 §5"),
    CodeSpec("MSG-CLOCK-SKEW", S.WARNING, "The message's ts is more than 30 s from its receive time.", "devid-1 §5"),
    CodeSpec("MSG-HEARTBEAT-MISSED", S.ERROR, "The longest silence of state exceeds the profile's heartbeat interval (plus 10 %, at least 2 s).", "devid-1 §5, §7"),
    # -- commands ------------------------------------------------------------------------
    CodeSpec("MSG-ACK-LATE", S.ERROR, "A command's ack arrived after the profile's ack deadline.", "devid-1 §5, §7"),
    CodeSpec("MSG-ACK-MISSING", S.ERROR, "A command was never acked (its deadline passed within the capture).", "devid-1 §5, §7"),
    CodeSpec("MSG-ACK-UNMATCHED", S.ERROR, "An ack whose id matches no earlier command of that name.", "devid-1 §5"),
    # -- retained flags ------------------------------------------------------------------
    CodeSpec("MSG-RETAIN", S.ERROR, "identity, status or state was published without the retain flag (or an event, command or ack with it).", "devid-1 §5"),
    # -- profile documents ---------------------------------------------------------------
    CodeSpec("PROFILE-INVALID", S.ERROR, "A profile document breaks the profile schema or its rules.", "devid-1 §7"),
    CodeSpec("PROFILE-UNIT", S.WARNING, "A unit is not a UCUM code in devid's table of common units.", "devid-1 §7; UCUM"),
)
