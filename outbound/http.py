"""The platforms' REST APIs over httpx (Meta's Graph API, Twilio): what their clients share.

A client opens its HTTP connections on first use and POSTs to the platform; a failed answer
becomes outbound.message's errors: RateLimited (429, or a rate-limit error code), TransientError
(5xx, or the platform unreachable), else the platform's DeliveryError with its error code.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

import httpx

from outbound.message import DeliveryError, RateLimited, TransientError


class PlatformError(DeliveryError):
    """The platform refused the message for good; ``code`` is the platform's error code."""

    def __init__(self, detail: str, code: int | None = None) -> None:
        super().__init__(detail)
        self.code = code


def retry_after(answer: httpx.Response) -> float | None:
    """The seconds of the answer's Retry-After header (never negative), or None."""
    try:
        return max(0.0, float(answer.headers.get("Retry-After", "")))
    except ValueError:
        return None


def json_object(answer: httpx.Response) -> dict[str, Any]:
    """The answer's body when it is a JSON object, else an empty dict."""
    try:
        body = answer.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def raise_for_error(
    answer: httpx.Response,
    error: Mapping[str, Any],
    *,
    platform: str,
    refused: type[PlatformError],
    rate_limit_codes: frozenset[int] = frozenset(),
) -> None:
    """Raise the error a failed answer means; ``error`` is the platform's error object
    (``code``, ``message``). Nothing for a successful answer."""
    if answer.is_success:
        return
    code = error.get("code") if isinstance(error.get("code"), int) else None
    detail = f"{platform} {answer.status_code} (code {code}): {error.get('message', '')}"
    if answer.status_code == 429 or code in rate_limit_codes:
        raise RateLimited(retry_after(answer), detail)
    if answer.status_code >= 500:
        raise TransientError(detail)
    raise refused(detail, code)


class ApiClient(ABC):
    """POSTs to one account of a platform's REST API; the connections open on first use."""

    #: The platform's name in error messages.
    platform: ClassVar[str]

    def __init__(self, timeout: float = 10.0) -> None:
        self._timeout = timeout
        self._http: httpx.AsyncClient | None = None

    @abstractmethod
    def _authentication(self) -> dict[str, Any]:
        """httpx.AsyncClient arguments that authenticate the account (headers or auth)."""

    @abstractmethod
    def check(self, answer: httpx.Response) -> None:
        """Raise outbound.message's error when ``answer`` is a failure."""

    def _client(self) -> httpx.AsyncClient:
        if self._http is None or self._http.is_closed:
            self._http = httpx.AsyncClient(timeout=self._timeout, **self._authentication())
        return self._http

    async def _post(self, url: str, **kwargs: Any) -> dict[str, Any]:
        """POST to ``url``; the answer's JSON object (empty when it has none)."""
        try:
            answer = await self._client().post(url, **kwargs)
        except httpx.TransportError as exc:
            raise TransientError(f"{self.platform} unreachable: {exc!r}") from exc
        self.check(answer)
        return json_object(answer)

    async def close(self) -> None:
        """Close the HTTP connections."""
        if self._http is not None:
            await self._http.aclose()
