"""An ``SmsSender`` for a made-up gateway, "Berichtenbus", as the docs' worked example.

Berichtenbus takes one message per ``POST /v2/sms`` with an ``X-Api-Key`` header and the
JSON body ``{"recipient": "+31612345678", "message": "..."}``, and answers 202 Accepted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from onzecoach.errors import SmsDeliveryError

if TYPE_CHECKING:
    from onzecoach.ports import SmsSender


# --8<-- [start:adapter]
class BerichtenbusSms:
    """Sends text messages through Berichtenbus; one instance is shared by every thread."""

    def __init__(
        self,
        *,
        api_key: str,
        url: str = "https://api.berichtenbus.example/v2/sms",
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._url = url
        # No I/O here: httpx.Client connects on the first request.
        self._client = httpx.Client(
            transport=transport,
            headers={"X-Api-Key": api_key},
            timeout=timeout,
            follow_redirects=False,
        )

    def send(self, to: str, text: str) -> None:
        try:
            response = self._client.post(self._url, json={"recipient": to, "message": text})
        except httpx.TimeoutException as exc:
            # The gateway may have sent it all the same; the outbox tries again later. The
            # next message would wait as long: unreachable, so the outbox does not try it.
            raise SmsDeliveryError("Berichtenbus did not answer in time", unreachable=True) from exc
        except httpx.ConnectError as exc:
            raise SmsDeliveryError(
                f"Berichtenbus could not be reached: {exc}", unreachable=True
            ) from exc
        except httpx.HTTPError as exc:
            raise SmsDeliveryError(f"the request to Berichtenbus failed: {exc}") from exc
        if response.status_code == 202:
            return
        # Neither the number nor the text goes into the message: it may hold a login code.
        busy = response.status_code in (408, 429) or response.status_code >= 500
        raise SmsDeliveryError(f"Berichtenbus answered {response.status_code}", permanent=not busy)

    def close(self) -> None:
        self._client.close()

    def __repr__(self) -> str:
        # The API key stays out of reprs and logs.
        return f"BerichtenbusSms(url={self._url!r})"
        # --8<-- [end:adapter]


if TYPE_CHECKING:
    # mypy checks that the class fits the port.
    _fits: SmsSender = BerichtenbusSms(api_key="")
