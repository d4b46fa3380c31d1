"""Citation markers: where answer text and citations meet. Verification lives in ``rag.verify``.

``resolve`` is kept as the name callers (``rag.api``) use for "check every claim and cite it".
"""

from __future__ import annotations

from rag.verify import MARKER, Verified, quoted_marker, verify

resolve = verify
Checked = Verified

__all__ = ["MARKER", "Checked", "Verified", "quoted_marker", "resolve", "verify"]
