"""Keep URL credentials (``http://user:password@host/``) out of everything stored or shown.

A user may paste a URL with user-info to reach a password-protected page. The fetch may use it
for that request (index/fetch.py sends it as HTTP Basic auth to the same origin), but the
password must never land in ``sources``, chunk metadata, reports, logs or the terminal.

>>> strip_userinfo("https://ann:s3cret@example.com:8443/a?b=1#c")
'https://example.com:8443/a?b=1#c'
>>> redact_userinfo("fetch of http://ann:pw@host/x failed")
'fetch of http://host/x failed'
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

# scheme://userinfo@ inside free text: the user-info runs to the last "@" before the host part
# ends (a password may itself hold "@" when pasted unencoded, so "[^/?#\s]*@" is greedy).
_IN_TEXT = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#\s]*@")


def strip_userinfo(url: str) -> str:
    """``url`` without its ``user:password@`` part; anything that is not such a URL unchanged."""
    if "@" not in url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:  # not parseable as a URL: fall back to the text rule
        return redact_userinfo(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit((parts.scheme, parts.netloc.rsplit("@", 1)[1], parts.path, parts.query, parts.fragment))


def redact_userinfo(text: str) -> str:
    """``text`` (a message, a report line) with the user-info of every URL in it removed."""
    return _IN_TEXT.sub(r"\1", text) if "@" in text else text
