"""Guards for device-supplied bytes: what third-party parsers may raise, and a DER pre-scan.

Every format devid/matter parses (certificates, CDs, TLV, revocation sets) is parsed in
one place, and that place catches :data:`PARSER_ERRORS` (everything asn1crypto and
cryptography raise on hostile input: asn1crypto's lazy parsing throws ``AttributeError``,
``IndexError``, ``KeyError``, ``OverflowError`` and ``RecursionError`` as well as
``ValueError``) and turns it into a finding whose message is devid's own words, never the
parser's text.

:func:`der_problem` is run before asn1crypto or cryptography sees a DER document. It
walks the encoding iteratively (no recursion) and bounds, by construction, what the
parsers will be handed: the framing is exact (definite lengths inside their parent, one
top-level element, no trailing bytes), nesting is at most :data:`MAX_DER_DEPTH`, the
document holds at most :data:`MAX_DER_ELEMENTS` elements, an object identifier is at
most :data:`MAX_OID_BYTES` and an integer at most :data:`MAX_INTEGER_BYTES` (asn1crypto
converts OID arcs and integers to Python ints, quadratic in their length). DER carried
inside an OCTET STRING or BIT STRING (extension values, keys, signatures), which the
parsers decode too, is held to the same limits; content that is not DER is left alone.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm

MAX_DER_DEPTH = 32
MAX_DER_ELEMENTS = 2048
MAX_OID_BYTES = 64
MAX_INTEGER_BYTES = 1024

PARSER_ERRORS: tuple[type[Exception], ...] = (
    ValueError,  # includes UnicodeError and json.JSONDecodeError
    TypeError,
    LookupError,  # IndexError, KeyError
    AttributeError,
    ArithmeticError,  # OverflowError
    RecursionError,
    NotImplementedError,
    UnsupportedAlgorithm,
    x509.InvalidVersion,
    x509.DuplicateExtension,
    x509.ExtensionNotFound,
)
"""What asn1crypto, cryptography and json raise on malformed input (each format's one
parse site catches these and reports a finding)."""
SIGNATURE_ERRORS: tuple[type[Exception], ...] = (InvalidSignature, *PARSER_ERRORS)
"""What a signature verification raises for a bad signature or unusable key material."""


# The first octet of DER that asn1crypto or cryptography decode inside a string (extension
# values, keys, signatures): INTEGER, BIT STRING, OCTET STRING, OID, SEQUENCE, SET.
_DER_STARTS = frozenset({0x02, 0x03, 0x04, 0x06, 0x30, 0x31})


class _Limit(Exception):
    """A limit was exceeded (reported even inside encapsulated content)."""


class _Framing(Exception):
    """The bytes are not exact DER framing."""


def _scan(
    data: bytes, start: int, end: int, depth: int, budget: list[int], *, single: bool = False
) -> int:
    """Scan the elements in ``data[start:end]`` (at nesting ``depth``); raise on a problem.

    With ``single``, only the first element at ``depth`` (and all it holds); returns where
    it ends.
    """
    stack = [(start, end, depth)]
    first_end = end
    while stack:
        pos, stop, level = stack.pop()
        while pos < stop:
            if single and level == depth and pos > start:
                first_end = pos
                break
            offset = pos
            tag = data[pos]
            pos += 1
            if tag & 0x1F == 0x1F:  # high tag number form
                for _ in range(4):
                    if pos >= stop:
                        raise _Framing(f"is truncated inside a tag at offset {offset}")
                    more = data[pos] & 0x80
                    pos += 1
                    if not more:
                        break
                else:
                    raise _Framing(f"has an oversized tag at offset {offset}")
            if pos >= stop:
                raise _Framing(f"is truncated after the tag at offset {offset}")
            first = data[pos]
            pos += 1
            if first == 0x80:
                raise _Framing(f"uses an indefinite length at offset {offset} (not DER)")
            if first > 0x80:
                size = first & 0x7F
                if size > 4:
                    raise _Framing(f"has a {size}-byte length field at offset {offset}")
                if pos + size > stop:
                    raise _Framing(f"is truncated inside the length at offset {offset}")
                length = int.from_bytes(data[pos : pos + size], "big")
                pos += size
            else:
                length = first
            if pos + length > stop:
                raise _Framing(
                    f"is truncated: the element at offset {offset} claims {length} bytes, "
                    f"{stop - pos} remain"
                )
            budget[0] -= 1
            if budget[0] < 0:
                raise _Limit(f"holds more than {MAX_DER_ELEMENTS} DER elements")
            content, pos = (pos, pos + length), pos + length
            if tag & 0x20:
                if level + 1 > MAX_DER_DEPTH:
                    raise _Limit(f"nests DER deeper than {MAX_DER_DEPTH} levels")
                stack.append((content[0], content[1], level + 1))
            elif tag == 0x06 and length > MAX_OID_BYTES:
                raise _Limit(
                    f"holds an object identifier of {length} bytes (limit {MAX_OID_BYTES})"
                )
            elif tag == 0x02 and length > MAX_INTEGER_BYTES:
                raise _Limit(f"holds an integer of {length} bytes (limit {MAX_INTEGER_BYTES})")
            elif tag in (0x03, 0x04):
                inner = content[0] + (1 if tag == 0x03 else 0)
                if inner + 2 <= content[1] and data[inner] in _DER_STARTS:
                    _encapsulated(data, inner, content[1], level + 1, budget)
    return first_end


def _encapsulated(data: bytes, start: int, end: int, depth: int, budget: list[int]) -> None:
    """DER inside a string: held to the limits when it is DER, ignored when it is not."""
    if depth > MAX_DER_DEPTH:
        raise _Limit(f"nests DER deeper than {MAX_DER_DEPTH} levels")
    trial = [budget[0]]
    try:
        _scan(data, start, end, depth, trial)
    except _Framing:
        return  # opaque bytes, not DER: the parsers will not decode them either
    budget[0] = trial[0]


def der_problem(data: bytes) -> str | None:
    """Why ``data`` is not one bounded DER element (a phrase to follow the object's name),
    or None when it is."""
    if not data:
        return "is empty"
    if data[0] != 0x30:
        return f"is not DER: it starts with 0x{data[0]:02X}, not a SEQUENCE"
    try:
        end = _scan(data, 0, len(data), 0, [MAX_DER_ELEMENTS], single=True)
    except (_Framing, _Limit) as exc:
        return str(exc)
    if end != len(data):
        return f"has {len(data) - end} bytes after the end of its DER structure"
    return None
