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
    """Slows failed logins without letting anyone lock a name out from elsewhere.

    After ``max_failures`` failures in the window, an address is refused, and
    so is the pair of that address and a name, until the window passes. A name
    failed from many addresses is only slowed: each further attempt for it
    waits a delay that doubles with each failure (at most ``max_delay_seconds``)
    after the last one, so that the right password from another address still
    works after at most that delay.
    """

    max_failures: int = 5
    window_seconds: float = 15 * 60
    max_delay_seconds: float = 30
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, deque[float]] = field(default_factory=dict)

    def retry_after(self, address: str, name: str) -> int:
        """Seconds until a login may be tried again from this address for this name (0: now)."""
        now = self.clock()
        waits = []
        for key in (f"address:{address}", f"pair:{address}:{name.lower()}"):
            failures = self._recent(key, now)
            if len(failures) >= self.max_failures:
                waits.append(int(failures[0] + self.window_seconds - now) + 1)
        named = self._recent(f"name:{name.lower()}", now)
        if len(named) >= self.max_failures:
            delay = min(2.0 ** (len(named) - self.max_failures), self.max_delay_seconds)
            if named[-1] + delay > now:
                waits.append(int(named[-1] + delay - now) + 1)
        return max(waits, default=0)

    def failed(self, address: str, name: str) -> None:
        """Record a failed login."""
        now = self.clock()
        for key in self._keys(address, name):
            self._recent(key, now).append(now)

    def succeeded(self, address: str, name: str) -> None:
        """Forget the failures of a name that has now logged in."""
        self._failures.pop(f"name:{name.lower()}", None)
        self._failures.pop(f"pair:{address}:{name.lower()}", None)

    @staticmethod
    def _keys(address: str, name: str) -> tuple[str, str, str]:
        return (f"address:{address}", f"pair:{address}:{name.lower()}", f"name:{name.lower()}")

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(key, deque())
        while failures and failures[0] <= now - self.window_seconds:
            failures.popleft()
        return failures
