"""The portal's defences: CSRF tokens, login throttling, and response headers."""

from __future__ import annotations

import hmac
import secrets
import time
from collections import deque
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field

# Strict by default; inline styles only, because the templates carry their CSS.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


# Sent when cookies are secure: the portal is to be reached over HTTPS only.
STRICT_TRANSPORT = "max-age=31536000; includeSubDomains"


def csrf_token(session: MutableMapping[str, object]) -> str:
    """The session's token for forms, created on first use."""
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def csrf_valid(session: MutableMapping[str, object], submitted: object) -> bool:
    """Whether a form carries this session's token (compared in constant time)."""
    token = session.get("csrf")
    return (
        isinstance(token, str)
        and isinstance(submitted, str)
        and hmac.compare_digest(token.encode(), submitted.encode())
    )


@dataclass
class LoginThrottle:
    """Refuses logins after too many failures from one address or for one name."""

    max_failures: int = 5
    window_seconds: float = 15 * 60
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, deque[float]] = field(default_factory=dict)

    def retry_after(self, address: str, name: str) -> int:
        """Seconds until a login is allowed again for this address or name (0: allowed now)."""
        now = self.clock()
        waits = []
        for key in (f"address:{address}", f"name:{name.lower()}"):
            failures = self._recent(key, now)
            if len(failures) >= self.max_failures:
                waits.append(int(failures[0] + self.window_seconds - now) + 1)
        return max(waits, default=0)

    def failed(self, address: str, name: str) -> None:
        """Record a failed login."""
        now = self.clock()
        for key in (f"address:{address}", f"name:{name.lower()}"):
            self._recent(key, now).append(now)

    def succeeded(self, address: str, name: str) -> None:
        """Forget the failures of a name that has now logged in."""
        self._failures.pop(f"name:{name.lower()}", None)

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(key, deque())
        while failures and failures[0] <= now - self.window_seconds:
            failures.popleft()
        return failures
