"""Secrets out of anything a vendor client logs or raises: text, URLs and headers."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from urllib.parse import quote, quote_plus, urlencode

import httpx

MASK = "***"

# Query parameters and headers whose names say they carry a credential (HLR's batch API
# takes `apikey` and `secret` in the query string; Voluum's session is `cwauth-token`;
# Ongage's login is X_USERNAME and X_ACCOUNT_CODE beside X_PASSWORD).
_SECRET_NAME = re.compile(
    r"key|secret|token|pass|pwd|auth|sig|credential|cookie|user|account", re.IGNORECASE
)


def redact(text: str, secrets: Sequence[str]) -> str:
    """`text` with every secret masked, as written and as percent-encoded in a URL."""
    forms = {form for secret in secrets if secret for form in _encodings(secret)}
    # Longest first, so that a secret containing another is masked whole.
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, MASK)
    return text


def _encodings(secret: str) -> Iterable[str]:
    return (secret, quote(secret, safe=""), quote_plus(secret, safe=""))


def redact_url(url: httpx.URL, secrets: Sequence[str]) -> str:
    """The URL without its user info, with secret-looking query values and secrets masked."""
    pairs = [
        (name, MASK if _SECRET_NAME.search(name) else value)
        for name, value in url.params.multi_items()
    ]
    bare = url.copy_with(userinfo=b"", query=urlencode(pairs, safe="*").encode() or None)
    return redact(str(bare), secrets)


def redact_headers(headers: httpx.Headers, secrets: Sequence[str]) -> dict[str, str]:
    """Headers fit for a log line: credential headers masked, secrets masked in the rest."""
    return {
        name: MASK if _SECRET_NAME.search(name) else redact(value, secrets)
        for name, value in headers.items()
    }
