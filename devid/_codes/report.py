"""Finding codes of signed reports and of the results hash chain (issue 12; docs/signing.md).

REPORT-SIGNATURE-* / REPORT-SIGNER-*: ``devid verify report`` on a report file and
its detached COSE_Sign1 (RFC 9052 §4.2, the lab's chain in x5chain, RFC 9360).
REPORT-CHAIN-*: ``devid results verify`` on the hash chain of a results store.
"""

from __future__ import annotations

from devid._findings import CodeSpec
from devid._findings import Severity as S

_DOC = "docs/signing.md"

CODES: tuple[CodeSpec, ...] = (
    # -- signed reports ------------------------------------------------------------------
    CodeSpec("REPORT-SIGNATURE-MISSING", S.ERROR, "The report has no signature file (FILE.cose) or it cannot be read.", f"{_DOC}; RFC 9052 §4.2"),
    CodeSpec("REPORT-SIGNATURE-MALFORMED", S.ERROR, "The signature file is not a detached COSE_Sign1 carrying the signer's certificate chain in x5chain (protected header 33).", f"RFC 9052 §4.2; RFC 9360 §2; {_DOC}"),
    CodeSpec("REPORT-SIGNATURE-INVALID", S.ERROR, "The signature does not verify over the report file's bytes with the key of the first x5chain certificate: the report was changed after signing, or it was signed with another key.", f"RFC 9052 §4.4; {_DOC}"),
    CodeSpec("REPORT-SIGNER-UNTRUSTED", S.ERROR, "The signer's certificate chain does not lead to a trust anchor of --trust (X.509 path validation).", f"RFC 5280 §6.1; {_DOC}"),
    CodeSpec("REPORT-SIGNER-EXPIRED", S.ERROR, "A certificate of the signer's chain (the lab certificate or its CA) is not valid at the verification time (expired or not yet valid).", f"RFC 5280 §4.1.2.5; {_DOC}"),
    CodeSpec("REPORT-SIGNER-KEY-USAGE", S.ERROR, "The lab certificate does not allow digital signatures (keyUsage without digitalSignature, or CA:TRUE).", f"RFC 5280 §4.2.1.3, §4.2.1.9; {_DOC}"),
    # -- results hash chain --------------------------------------------------------------
    CodeSpec("REPORT-CHAIN-NONE", S.INFO, "The run's results are not hash-chained (stored by a devid older than results schema 3): they can be read but not checked for tampering.", f"ISO/IEC 17025:2017 §7.5; {_DOC}"),
    CodeSpec("REPORT-CHAIN-ADOPTED", S.INFO, "Some results of the run were stored before hash chaining and were chained when the run was resumed: the chain vouches for them only from then on.", f"ISO/IEC 17025:2017 §7.5; {_DOC}"),
    CodeSpec("REPORT-CHAIN-ALTERED", S.ERROR, "A stored result (or its run's profile or start time) no longer matches its hash: the row was edited after it was recorded.", f"ISO/IEC 17025:2017 §7.5.2; {_DOC}"),
    CodeSpec("REPORT-CHAIN-BROKEN", S.ERROR, "The hash chain of a run has a gap, an extra row or rows out of order: a result was deleted, inserted or moved.", f"ISO/IEC 17025:2017 §7.5.2; {_DOC}"),
    CodeSpec("REPORT-CHAIN-TRUNCATED", S.ERROR, "The run's last results are missing: the chain ends before the head and row count its run recorded.", f"ISO/IEC 17025:2017 §7.5.2; {_DOC}"),
)
