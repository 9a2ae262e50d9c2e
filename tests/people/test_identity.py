"""ID numbers and phones (issue 4, item 2): each kind of mistake has its own message."""

from __future__ import annotations

import datetime as dt
from typing import Any

import phonenumbers
import pytest
from cryptography.fernet import Fernet
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from parkguard.people import identity
from parkguard.people.identity import IdentityError, id_mask, id_parse, phone_mask, phone_parse
from tests.people.sheets import person_id

TODAY = dt.date(2022, 11, 15)


def _with_check(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


GOOD = person_id(7)
CASES = [
    ("", identity.ID_EMPTY),
    (GOOD[:17], identity.ID_LENGTH),
    ("45022219900101A23X", identity.ID_FORMAT),
    (GOOD[:17] + ("0" if GOOD[17] != "0" else "1"), identity.ID_CHECKSUM),
    (_with_check("45022219900231123"), identity.ID_BIRTH_INVALID),
    (_with_check("45022220300101123"), identity.ID_BIRTH_FUTURE),
    (_with_check("99999919900101123"), identity.ID_REGION),
]


@pytest.mark.parametrize(("raw", "message"), CASES)
def test_it_names_each_kind_of_bad_id_number(raw: str, message: str) -> None:
    with pytest.raises(IdentityError) as caught:
        id_parse(raw, today=TODAY)
    assert caught.value.message == message


def test_it_gives_every_id_mistake_a_distinct_message() -> None:
    messages = [m for _, m in CASES]
    assert len(set(messages)) == len(messages)


def test_it_normalises_a_trailing_lowercase_x_and_spaces() -> None:
    body = next(
        b for n in range(1000) if ric.calc_check_digit((b := f"45022219900101{n:03d}") + "0") == "X"
    )
    parsed = id_parse(f" {body}x ", today=TODAY)
    assert parsed.value == body + "X"


def test_it_masks_ids_and_phones_as_the_issue_shows() -> None:
    assert id_mask("32010219900101123X") == "320*************3X"  # issue 8 §4
    assert phone_mask("13812345678") == "138****5678"


def test_it_remembers_region_lookups_only_in_the_callers_memo() -> None:
    memo: dict[str, bool] = {}
    id_parse(GOOD, today=TODAY, regions=memo)
    assert memo == {GOOD[:6]: True}


@pytest.mark.parametrize("raw", ["1381234567", "12012345678", "138123456789", "abc", ""])
def test_it_refuses_a_phone_that_is_not_a_mainland_mobile(raw: str) -> None:
    with pytest.raises(IdentityError) as caught:
        phone_parse(raw)
    assert caught.value.message == identity.PHONE_INVALID


def test_it_accepts_a_phone_with_country_code_and_separators() -> None:
    assert phone_parse("+86 138-1234-5678") == "13812345678"


@given(st.from_regex(r"1[0-9]{10}", fullmatch=True))
def test_it_agrees_with_libphonenumber_on_eleven_digit_numbers(number: str) -> None:
    try:
        parsed = phonenumbers.parse(number, "CN")
        expected = phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.MOBILE
    except phonenumbers.NumberParseException:
        expected = False
    try:
        phone_parse(number)
        accepted = True
    except IdentityError:
        accepted = False
    assert accepted == expected


# --- ciphertext formats: g1 (AES-256-GCM) for new values, Fernet still readable ----------

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def test_new_id_ciphertexts_are_aes_gcm_and_round_trip(settings: Any) -> None:
    settings.ID_ENC_KEYS = [NEW_KEY]
    token = identity.id_encrypt(GOOD)
    assert token.startswith("g1:")
    assert GOOD not in token
    assert identity.id_encrypt(GOOD) != token  # a fresh random nonce each time
    assert identity.id_decrypt(token) == GOOD


def test_fernet_values_written_before_g1_still_decrypt(settings: Any) -> None:
    old_token = Fernet(OLD_KEY.encode()).encrypt(GOOD.encode()).decode()
    settings.ID_ENC_KEYS = [OLD_KEY]
    assert identity.id_decrypt(old_token) == GOOD
    settings.ID_ENC_KEYS = [NEW_KEY, OLD_KEY]  # rotated: the newest key first
    assert identity.id_decrypt(old_token) == GOOD


def test_a_rotated_key_encrypts_new_values_and_old_keys_still_decrypt(settings: Any) -> None:
    settings.ID_ENC_KEYS = [OLD_KEY]
    old_token = identity.id_encrypt(GOOD)
    settings.ID_ENC_KEYS = [NEW_KEY, OLD_KEY]
    new_token = identity.id_encrypt(GOOD)
    assert identity.id_decrypt(old_token) == GOOD
    assert identity.id_decrypt(new_token) == GOOD
    settings.ID_ENC_KEYS = [NEW_KEY]
    assert identity.id_decrypt(new_token) == GOOD
    with pytest.raises(RuntimeError):
        identity.id_decrypt(old_token)


def test_a_tampered_ciphertext_is_refused(settings: Any) -> None:
    settings.ID_ENC_KEYS = [NEW_KEY]
    token = identity.id_encrypt(GOOD)
    # A middle character carries 6 data bits (the last ones before "==" carry padding bits
    # too, so changing one can decode to the same bytes and the test would pass by luck).
    flipped = token[:20] + ("A" if token[20] != "A" else "B") + token[21:]
    with pytest.raises(RuntimeError):
        identity.id_decrypt(flipped)
    with pytest.raises(RuntimeError):
        identity.id_decrypt("g1:***")


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("11010319900101123", "崇文区 110103, abolished in 2010, born before"),
        ("11010320150101123", "崇文区 110103, abolished in 2010, born after"),
        ("32010219800101123", "玄武区 320102, from 1983, born before it existed"),
        ("11011519850101123", "大兴区 110115, from 2001, born before"),
    ],
)
def test_a_region_code_valid_at_any_time_is_accepted_whatever_the_birth_year(
    body: str, why: str
) -> None:
    """Issue 9 §4: IDs are issued where a person first registers, not where they were born."""
    number = _with_check(body)
    assert id_parse(number, today=TODAY).value == number, why


def test_a_code_never_in_gb2260_is_still_refused() -> None:
    with pytest.raises(IdentityError) as caught:
        id_parse(_with_check("11019919900101123"), today=TODAY)
    assert caught.value.message == identity.ID_REGION


@given(key=st.binary(max_size=200), message=st.binary(max_size=300))
def test_the_prepared_hmac_is_the_standard_hmac_sha256(key: bytes, message: bytes) -> None:
    """The import's HMAC (a keyed state prepared once, copied per message) gives the one-shot bytes.

    Keys past SHA-256's 64-byte block are hashed first, as RFC 2104 says; a digest that
    differed would make the same person a second, unfindable identity.
    """
    import hmac

    assert identity.hmac_sha256_keyed(key)(message) == hmac.digest(key, message, "sha256")


def test_the_imports_digester_and_sealer_store_what_the_single_calls_store(settings: Any) -> None:
    settings.ID_ENC_KEYS = [NEW_KEY]
    digest, seal = identity.id_digester(), identity.phone_sealer()
    for number in (GOOD, person_id(8), _with_check("11010319800101001")):
        assert digest(number) == identity.id_digest(number)
    for phone in ("13812345678", "15000000001", ""):
        assert seal(phone) == identity.phone_seal(phone)
    sealed = seal("13812345678")
    assert seal(sealed) == sealed  # an already sealed value is left as it is
    assert identity.phone_open(sealed) == "13812345678"
