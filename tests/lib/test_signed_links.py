"""The token of a public link (visitor fill-in links, carriers' declaration links, transport
passes): it reads back only under its own salt, untampered and, with `max_age`, in time.

Requirements: J-1.2.3 (visitors fill in their own filing), Z-5.3c (transport passes).
"""

from __future__ import annotations

import datetime as dt
import time
from unittest import mock

from parkguard.lib.signed_links import link_read, link_sign

SALT = "parkguard.tests.link"


def test_it_reads_back_what_it_signed() -> None:
    token = link_sign({"v": 7, "n": "abc"}, salt=SALT)
    assert link_read(token, salt=SALT) == {"v": 7, "n": "abc"}


def test_it_refuses_a_token_of_another_kind() -> None:
    token = link_sign("nonce", salt=SALT)
    assert link_read(token, salt="parkguard.tests.other") is None


def test_it_refuses_a_tampered_or_empty_token() -> None:
    token = link_sign("nonce", salt=SALT)
    value, _, signature = token.partition(":")
    assert (
        link_read(value[:-1] + ("A" if value[-1] != "A" else "B") + ":" + signature, salt=SALT)
        is None
    )
    assert link_read(token[:-2], salt=SALT) is None
    assert link_read("", salt=SALT) is None


def test_it_refuses_a_token_older_than_max_age_and_takes_one_within_it() -> None:
    token = link_sign("nonce", salt=SALT)
    later = time.time() + 3601
    with mock.patch("django.core.signing.time.time", return_value=later):
        assert link_read(token, salt=SALT, max_age=dt.timedelta(hours=1)) is None
        assert link_read(token, salt=SALT, max_age=dt.timedelta(hours=2)) == "nonce"
    # Without max_age the row's own expiry decides: the signature alone still holds.
    with mock.patch("django.core.signing.time.time", return_value=later):
        assert link_read(token, salt=SALT) == "nonce"
