"""The SMS interface: a small protocol and the backends settings choose from.

Nothing is sent by default: `NOTIFY_SMS_BACKEND` names `NullSmsBackend`. `ConsoleSmsBackend`
logs a masked number and the text's length, for development. A real gateway (a provider's SDK)
implements `SmsBackend` and is named in settings; no caller changes.
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsBackend(Protocol):
    def send(self, *, phone: str, text: str) -> bool:
        """Send one text to one mainland mobile number; True if the gateway accepted it."""
        ...


class NullSmsBackend:
    """Sends nothing (the default)."""

    def send(self, *, phone: str, text: str) -> bool:
        return False


def _masked(phone: str) -> str:
    """`13812345678` → `138****5678`, as the ledger shows phones."""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"


class ConsoleSmsBackend:
    """Logs what would be sent, with the number masked and without the text itself."""

    def send(self, *, phone: str, text: str) -> bool:
        logger.info("SMS to %s (%d chars), not sent: console backend", _masked(phone), len(text))
        return True


def sms_backend() -> SmsBackend:
    backend: SmsBackend = import_string(settings.NOTIFY_SMS_BACKEND)()
    return backend


def sms_send(*, phone: str, text: str) -> bool:
    return sms_backend().send(phone=phone, text=text)
