"""The portal's defences: CSRF tokens, login throttling, and response headers."""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Protocol

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


class FailureStore(Protocol):
    """Where a throttle keeps its failed logins: in memory, or in the ledger."""

    def since(self, key: str, start: float) -> list[float]:
        """When ``key`` failed after ``start``, earliest first."""

    def add(self, keys: tuple[str, ...], at: float, *, forget_before: float) -> None:
        """Record one failure against each key; failures up to ``forget_before`` may go."""

    def forget(self, keys: tuple[str, ...]) -> None:
        """Drop every failure of these keys."""


@dataclass
class MemoryFailures:
    """Failed logins in this process only (tests, and one-process use)."""

    _failures: dict[str, list[float]] = field(default_factory=dict)

    def since(self, key: str, start: float) -> list[float]:
        """When ``key`` failed after ``start``, earliest first."""
        kept = [moment for moment in self._failures.get(key, []) if moment > start]
        self._failures[key] = kept
        return list(kept)

    def add(self, keys: tuple[str, ...], at: float, *, forget_before: float) -> None:
        """Record one failure against each key (``since`` drops the old ones)."""
        for key in keys:
            self._failures.setdefault(key, []).append(at)

    def forget(self, keys: tuple[str, ...]) -> None:
        """Drop every failure of these keys."""
        for key in keys:
            self._failures.pop(key, None)


@dataclass
class LoginThrottle:
    """Slows failed logins without letting anyone lock a name out from elsewhere.

    After ``max_failures`` failures in the window, an address is refused, and
    so is the pair of that address and a name, until the window passes. A name
    failed from many addresses is only slowed: each further attempt for it
    waits a delay that doubles with each failure (at most ``max_delay_seconds``)
    after the last one, so that the right password from another address still
    works after at most that delay.

    The portal keeps the failures in the ledger (``store``) and reads the wall
    clock, so that a restart or another worker process throttles alike.
    """

    max_failures: int = 5
    window_seconds: float = 15 * 60
    max_delay_seconds: float = 30
    clock: Callable[[], float] = time.time
    store: FailureStore = field(default_factory=MemoryFailures)

    def retry_after(self, address: str, name: str) -> int:
        """Seconds until a login may be tried again from this address for this name (0: now)."""
        now = self.clock()
        start = now - self.window_seconds
        waits = []
        for key in (_address(address), _pair(address, name)):
            failures = self.store.since(key, start)
            if len(failures) >= self.max_failures:
                waits.append(int(failures[0] + self.window_seconds - now) + 1)
        named = self.store.since(_name(name), start)
        if len(named) >= self.max_failures:
            delay = min(2.0 ** (len(named) - self.max_failures), self.max_delay_seconds)
            if named[-1] + delay > now:
                waits.append(int(named[-1] + delay - now) + 1)
        return max(waits, default=0)

    def failed(self, address: str, name: str) -> None:
        """Record a failed login."""
        now = self.clock()
        keys = (_address(address), _pair(address, name), _name(name))
        self.store.add(keys, now, forget_before=now - self.window_seconds)

    def succeeded(self, address: str, name: str) -> None:
        """Forget the failures of a name that has now logged in."""
        self.store.forget((_name(name), _pair(address, name)))


def _address(address: str) -> str:
    return f"address:{address}"


def _pair(address: str, name: str) -> str:
    return f"pair:{address}:{name.lower()}"


def _name(name: str) -> str:
    return f"name:{name.lower()}"
