"""Identity data: validate, normalise, hash, encrypt and mask ID numbers and mobile numbers.

An ID number is stored twice, never in clear: a keyed HMAC (for exact lookup and for
spotting the same person in two enterprises) and a Fernet ciphertext (for a recorded
reveal). Screens show only the masked form.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass
from functools import cache

import phonenumbers
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric

ID_EMPTY = "身份证号不能为空"
ID_LENGTH = "身份证号应为18位"
ID_FORMAT = "身份证号前17位应为数字，最后一位为数字或X"
ID_CHECKSUM = "身份证号校验位不正确"
ID_BIRTH_INVALID = "身份证号中的出生日期不存在"
ID_BIRTH_FUTURE = "身份证号中的出生日期晚于今天"
ID_REGION = "身份证号前6位不是已知的行政区划代码"
PHONE_INVALID = "手机号码应为11位中国大陆手机号"


class IdentityError(ValueError):
    """A bad ID number or phone; `message` is the Chinese text shown at the field."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class IdNumber:
    """A validated, normalised resident ID number (GB 11643)."""

    value: str

    @property
    def birth_date(self) -> dt.date:
        return _birth_date(self.value)

    @property
    def gender(self) -> str:
        return "male" if int(self.value[16]) % 2 else "female"

    @property
    def masked(self) -> str:
        return id_mask(self.value)

    @property
    def digest(self) -> str:
        return id_digest(self.value)


def id_parse(raw: str, *, today: dt.date, regions: dict[str, bool] | None = None) -> IdNumber:
    """Validate an ID number, each kind of mistake with its own message.

    `regions` is an optional per-call memo of region-code lookups (the slowest step), for
    callers that check many numbers at once, such as an import; it lives only as long as
    the caller keeps it.
    """
    number = "".join(str(raw or "").split()).upper()
    if not number:
        raise IdentityError(ID_EMPTY)
    if len(number) != 18:
        raise IdentityError(ID_LENGTH)
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise IdentityError(ID_FORMAT)
    if ric.calc_check_digit(number) != number[17]:
        raise IdentityError(ID_CHECKSUM)
    try:
        birth = _birth_date(number)
    except ValueError:
        raise IdentityError(ID_BIRTH_INVALID) from None
    if birth > today:
        raise IdentityError(ID_BIRTH_FUTURE)
    known = regions.get(number[:6]) if regions is not None else None
    if known is None:
        known = _region_known(number)
        if regions is not None:
            regions[number[:6]] = known
    if not known:
        raise IdentityError(ID_REGION)
    return IdNumber(number)


def _birth_date(number: str) -> dt.date:
    # What stdnum's ric.get_birth_date does, without its per-call cleaning (an import hot spot).
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def _region_known(number: str) -> bool:
    try:
        ric.get_birth_place(number)
    except stdnum_errors.ValidationError:
        return False
    return True


def id_mask(number: str) -> str:
    """`320102199001011234` → `3201**********1234`."""
    return f"{number[:4]}{'*' * (len(number) - 8)}{number[-4:]}" if len(number) > 8 else "****"


def id_digest(number: str) -> str:
    return hmac.new(settings.ID_HMAC_KEY.encode(), number.encode(), hashlib.sha256).hexdigest()


def id_cipher() -> MultiFernet:
    """The cipher for ID numbers; build it once when encrypting many (an import)."""
    return MultiFernet([Fernet(key.encode()) for key in settings.ID_ENC_KEYS])


_fernet = id_cipher


def id_encrypt(number: str, *, cipher: MultiFernet | None = None) -> str:
    return (cipher or id_cipher()).encrypt(number.encode()).decode()


def id_decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:  # a wrong key is an operations fault, not user input
        raise RuntimeError("身份证号密文无法解密：请检查 PARKGUARD_ID_ENC_KEY") from exc


@cache
def _mobile_pattern() -> re.Pattern[str]:
    # The mainland mobile ranges from libphonenumber's metadata (immutable, so caching is safe).
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("CN")
    mobile = metadata.mobile if metadata is not None else None
    assert mobile is not None and mobile.national_number_pattern is not None
    return re.compile(mobile.national_number_pattern)


def phone_parse(raw: str) -> str:
    """A mainland mobile number, normalised to 11 digits; `+86` and separators are accepted."""
    text = raw.strip() if isinstance(raw, str) else str(raw or "")
    if not (len(text) == 11 and text.isdigit()):
        text = "".join(ch for ch in text if ch.isdigit() or ch == "+")
    # Fast path for the common case, 11 plain digits: one regex instead of a full parse.
    if len(text) == 11 and text.isdigit() and text[0] == "1":
        if _mobile_pattern().fullmatch(text):
            return text
        raise IdentityError(PHONE_INVALID)
    try:
        parsed = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        raise IdentityError(PHONE_INVALID) from None
    national = str(parsed.national_number)
    if (
        parsed.country_code != 86
        or len(national) != 11
        or phonenumbers.number_type(parsed) != phonenumbers.PhoneNumberType.MOBILE
    ):
        raise IdentityError(PHONE_INVALID)
    return national


def phone_mask(phone: str) -> str:
    """`13812345678` → `138****5678`."""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"
