"""When the Matter SDK returns kDacVendorIdMismatch / kDacProductIdMismatch (an oracle for tests).

``DefaultDACVerifier::VerifyAttestationInformation`` returns them from exactly one place,
the DAC/PAI id comparison:

* kDacVendorIdMismatch (305): the PAI has no vendor id, or it differs from the DAC's;
* kDacProductIdMismatch (306): the DAC has no product id, or the PAI has one that differs
  from the DAC's.

The ids the device reports are judged only against the CD (kCertificationDeclaration*), never
with these two results. This module restates that rule independently of devid's own checks,
from the certificates' ids, so tests can assert that no finding blames these results where
the SDK would not.
"""

from __future__ import annotations

from devid import Finding
from devid.matter import parse_cert

DAC_ID_RESULTS = {"kDacVendorIdMismatch", "kDacProductIdMismatch"}


def sdk_would_blame(dac: bytes, pai: bytes) -> set[str]:
    """The kDac*IdMismatch results the SDK's DAC/PAI id comparison yields for this pair."""
    dac_cert, _ = parse_cert(dac, "dac")
    pai_cert, _ = parse_cert(pai, "pai")
    if dac_cert is None or pai_cert is None or dac_cert.ids is None or pai_cert.ids is None:
        return set()  # the SDK stops at a format error before comparing ids
    d, p = dac_cert.ids, pai_cert.ids
    out: set[str] = set()
    if p.vid is None or p.vid != d.vid:
        out.add("kDacVendorIdMismatch")
    if d.pid is None or (p.pid is not None and p.pid != d.pid):
        out.add("kDacProductIdMismatch")
    return out


def blamed(findings: tuple[Finding, ...] | list[Finding]) -> set[str]:
    """The kDac*IdMismatch results any finding names (sdk_result or sdk_chain_result)."""
    names = {f.evidence.get("sdk_result") for f in findings}
    names |= {f.evidence.get("sdk_chain_result") for f in findings}
    return {n for n in names if n in DAC_ID_RESULTS}
