"""Identity data: validate, normalise, hash, encrypt and mask ID numbers and mobile numbers.

An ID number is stored twice, never in clear: a keyed HMAC (for exact lookup and for
spotting the same person in two enterprises) and a ciphertext (for a recorded reveal).
Screens show only the masked form.

Ciphertext formats: ``g1:`` + base64(nonce ‖ AES-256-GCM ciphertext ‖ tag), with a random
96-bit nonce and a key derived by HKDF-SHA256 from each PARKGUARD_ID_ENC_KEY entry (what new
values use: ~3 µs against Fernet's ~18, which an import of 100,000 people pays per row);
and Fernet tokens, written before ``g1`` existed, which still decrypt. The newest key
(first) encrypts; every key is tried on decryption, so keys can be rotated.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import phonenumbers
from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from stdnum.cn import ric

# Re-exported: the rest of the platform imports the ID mask from here.
from parkguard.lib.identifiers import ID_MASK_HEAD, ID_MASK_TAIL, id_mask, identifier_ascii

ID_EMPTY = "身份证号不能为空"
ID_LENGTH = "身份证号应为18位"
ID_FORMAT = "身份证号前17位应为数字，最后一位为数字或X"
ID_CHECKSUM = "身份证号校验位不正确"
ID_BIRTH_INVALID = "身份证号中的出生日期不存在"
ID_BIRTH_FUTURE = "身份证号中的出生日期晚于今天"
ID_REGION = "身份证号前6位不是已知的行政区划代码"
PHONE_INVALID = "手机号码应为11位中国大陆手机号"
ID_CHARSET = "身份证号含有无法识别的字符：只能填写数字0-9和字母X"
PHONE_CHARSET = "手机号码含有无法识别的字符：只能填写数字0-9"


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
    number = id_normalise(raw)
    id_check(number, today=today, regions=regions)
    return IdNumber(number)


def id_normalise(raw: object) -> str:
    """The one normal form of a typed ID number, used by every path (form, API, import).

    NFKC (full-width, superscript and circled digits become ASCII), spaces removed, upper
    case; a character still outside ASCII is refused, so no look-alike makes a new digest.
    """
    number = identifier_ascii(raw)
    if number is None:
        raise IdentityError(ID_CHARSET)
    return number


def id_check(number: str, *, today: dt.date, regions: dict[str, bool] | None = None) -> dt.date:
    """`id_parse` for an already normalised number (no spaces, upper case): its birth date.

    The import's hot path calls this directly, so it builds no objects it does not need.
    """
    if not number:
        raise IdentityError(ID_EMPTY)
    if len(number) != 18:
        raise IdentityError(ID_LENGTH)
    if not number.isascii():
        raise IdentityError(ID_CHARSET)
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
    return birth


def hmac_sha256_keyed(key: bytes) -> Callable[[bytes], bytes]:
    """HMAC-SHA256 under one key, the keyed state prepared once and copied per message.

    The same bytes as `hmac.digest(key, message, "sha256")`; copying a prepared HMAC costs
    about two thirds of the one-shot call, which sets its key up every time. For callers that
    hash many messages under one key (an import: two per row).
    """
    prepared = hmac.new(key, digestmod=hashlib.sha256)

    def mac(message: bytes) -> bytes:
        step = prepared.copy()
        step.update(message)
        return step.digest()

    return mac


def id_digester() -> Callable[[str], str]:
    """`id_digest` with the key prepared once: for callers that hash many numbers (an import)."""
    mac = hmac_sha256_keyed(settings.ID_HMAC_KEY.encode())

    def digest(number: str) -> str:
        return mac(number.encode()).hex()

    return digest


def _birth_date(number: str) -> dt.date:
    # What stdnum's ric.get_birth_date does, without its per-call cleaning (an import hot spot).
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def _region_known(number: str) -> bool:
    """Whether the first six digits were a county code of GB/T 2260 at any time.

    An ID number is issued where a person first registers, which need not be where or when
    they were born: a code abolished before the birth year (崇文区 110103, gone in 2010) or
    created after it (玄武区 320102, from 1983) is still a real code. stdnum's own
    `get_birth_place` rejects those by the birth year; this only asks whether the code exists.
    """
    return _region_code_known(number[:6])


@cache
def _region_code_known(code: str) -> bool:
    from stdnum import numdb  # the GB/T 2260 data file stdnum ships (loaded once)

    info = {k: v for _part, props in numdb.get("cn/loc").info(code) for k, v in props.items()}
    return bool(info.get("county"))


# The mask (first 3, last 2: `id_mask`, `ID_MASK_HEAD`, `ID_MASK_TAIL`, imported above) lives
# in lib/identifiers.py, which says why those digits, so that free text shown to others masks
# an ID number typed into it the same way (lib/free_text.py).


def id_mask_remask(masked: str) -> str:
    """A mask in the older first-4/last-4 form, narrowed to the current one (no clear needed)."""
    if len(masked) <= ID_MASK_HEAD + ID_MASK_TAIL + 4:
        return masked
    hidden = "*" * (len(masked) - ID_MASK_HEAD - ID_MASK_TAIL)
    return f"{masked[:ID_MASK_HEAD]}{hidden}{masked[-ID_MASK_TAIL:]}"


def id_digest(number: str) -> str:
    # hmac.digest is OpenSSL's one-shot HMAC: the same value as hmac.new(...).hexdigest(),
    # without building a Python HMAC object per number (an import computes one per row).
    return hmac.digest(settings.ID_HMAC_KEY.encode(), number.encode(), "sha256").hex()


_GCM_PREFIX = "g1:"
_GCM_AAD = b"parkguard id g1"
_GCM_INFO = b"parkguard id-number aes-256-gcm v1"
UNDECRYPTABLE = "身份证号密文无法解密：请检查 PARKGUARD_ID_ENC_KEY"


@cache
def _gcm(key: str) -> AESGCM:
    """The AES-256-GCM cipher of one configured key (HKDF, so it never reuses Fernet's halves)."""
    material = base64.urlsafe_b64decode(key.encode())
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_GCM_INFO).derive(material)
    return AESGCM(derived)


class IdCipher:
    """Encrypts ID numbers with the newest key (format g1); decrypts g1 and Fernet with any key.

    Build one per batch of work (an import, an export); it holds no per-message state, so a
    copy in another process is as safe as the original.
    """

    def __init__(self, keys: list[str]) -> None:
        self._keys = list(keys)
        self._gcms = [_gcm(key) for key in self._keys]
        self._fernet: MultiFernet | None = None

    def encrypt(self, number: str) -> str:
        nonce = os.urandom(12)
        sealed = self._gcms[0].encrypt(nonce, number.encode(), _GCM_AAD)
        return _GCM_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()

    def decrypt(self, token: str) -> str:
        if token.startswith(_GCM_PREFIX):
            try:
                blob = base64.urlsafe_b64decode(token[len(_GCM_PREFIX) :].encode())
            except (binascii.Error, ValueError):
                raise RuntimeError(UNDECRYPTABLE) from None
            if len(blob) < 12 + 16:  # nonce and tag at least
                raise RuntimeError(UNDECRYPTABLE)
            for gcm in self._gcms:
                try:
                    return gcm.decrypt(blob[:12], blob[12:], _GCM_AAD).decode()
                except InvalidTag:
                    continue
            raise RuntimeError(UNDECRYPTABLE)
        if self._fernet is None:
            self._fernet = payload_cipher(self._keys)
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:  # a wrong key is an operations fault, not user input
            raise RuntimeError(UNDECRYPTABLE) from None


def id_cipher() -> IdCipher:
    """The cipher for ID numbers; build it once when encrypting or decrypting many."""
    return IdCipher(settings.ID_ENC_KEYS)


def payload_cipher(keys: list[str] | None = None) -> MultiFernet:
    """Fernet with the ID keys, for whole uploads waiting in the database (one call per file)."""
    return MultiFernet([Fernet(key.encode()) for key in (keys or settings.ID_ENC_KEYS)])


def id_encrypt(number: str, *, cipher: IdCipher | None = None) -> str:
    return (cipher or id_cipher()).encrypt(number)


def id_decrypt(token: str) -> str:
    return id_cipher().decrypt(token)


_PHONE_KEEP = frozenset("0123456789+")


@cache
def _mobile_pattern() -> re.Pattern[str]:
    # The mainland mobile ranges from libphonenumber's metadata (immutable, so caching is safe).
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("CN")
    mobile = metadata.mobile if metadata is not None else None
    assert mobile is not None and mobile.national_number_pattern is not None
    return re.compile(mobile.national_number_pattern)


def phone_parse(raw: str) -> str:
    """A mainland mobile number, normalised to 11 digits; `+86` and separators are accepted.

    Look-alike digits are folded by NFKC first (as for ID numbers); what is still not
    ASCII is refused.
    """
    text = raw.strip() if isinstance(raw, str) and raw.isascii() else identifier_ascii(raw)
    if text is None:
        raise IdentityError(PHONE_CHARSET)
    if not (len(text) == 11 and text.isdigit()):
        text = "".join(ch for ch in text if ch in _PHONE_KEEP)
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


ID_TAIL_KEPT = 6


def id_tail(number: str) -> str:
    """The last six characters of a normalised ID number, kept for search by the last 4 or 6."""
    return number[-ID_TAIL_KEPT:]


# --- phone numbers at rest (issue 18 §5) ----------------------------------------------------
# A phone is stored as ``p1:`` + base64(nonce ‖ AES-256-GCM ciphertext ‖ tag), under a key
# derived from the newest PARKGUARD_ID_ENC_KEY. The nonce is an HMAC of the number under a
# second derived key (a synthetic IV): the same number always gives the same stored value, so
# an exact search (`filter(phone=...)`), a uniqueness check and the import's "unchanged"
# comparison keep working, while the column holds no number. Equality is all it shows, as an
# HMAC lookup column would. Every configured key decrypts; after a key rotation, run
# `manage.py privacy reseal_phones` so that searches find rows stored under the old key.
_PHONE_PREFIX = "p1:"
_PHONE_AAD = b"parkguard phone p1"
_PHONE_INFO = b"parkguard phone aes-256-gcm v1"
_PHONE_NONCE_INFO = b"parkguard phone synthetic-iv v1"
PHONE_UNDECRYPTABLE = "手机号密文无法解密：请检查 PARKGUARD_ID_ENC_KEY"


@cache
def _phone_keys(key: str) -> tuple[AESGCM, bytes]:
    material = base64.urlsafe_b64decode(key.encode())
    enc = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PHONE_INFO).derive(material)
    mac = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PHONE_NONCE_INFO).derive(
        material
    )
    return AESGCM(enc), mac


def phone_is_sealed(value: str) -> bool:
    return value.startswith(_PHONE_PREFIX)


def phone_seal(phone: str) -> str:
    """The stored form of a phone number (deterministic under the newest key); '' stays ''."""
    if not phone or phone.startswith(_PHONE_PREFIX):
        return phone
    gcm, mac = _phone_keys(settings.ID_ENC_KEYS[0])
    nonce = hmac.digest(mac, phone.encode(), "sha256")[:12]
    sealed = gcm.encrypt(nonce, phone.encode(), _PHONE_AAD)
    return _PHONE_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def phone_sealer() -> Callable[[str], str]:
    """`phone_seal` with the newest key's ciphers looked up once (an import seals every row)."""
    gcm, key = _phone_keys(settings.ID_ENC_KEYS[0])
    mac = hmac_sha256_keyed(key)
    encrypt = gcm.encrypt
    encode = base64.urlsafe_b64encode

    def seal(phone: str) -> str:
        if not phone or phone.startswith(_PHONE_PREFIX):
            return phone
        clear = phone.encode()
        nonce = mac(clear)[:12]
        return _PHONE_PREFIX + encode(nonce + encrypt(nonce, clear, _PHONE_AAD)).decode()

    return seal


def phone_open(value: str) -> str:
    """The phone number of a stored value; a value stored before encryption is returned as is."""
    if not value or not value.startswith(_PHONE_PREFIX):
        return value
    try:
        blob = base64.urlsafe_b64decode(value[len(_PHONE_PREFIX) :].encode())
    except (binascii.Error, ValueError):
        raise RuntimeError(PHONE_UNDECRYPTABLE) from None
    for key in settings.ID_ENC_KEYS:
        gcm, _ = _phone_keys(key)
        try:
            return gcm.decrypt(blob[:12], blob[12:], _PHONE_AAD).decode()
        except InvalidTag:
            continue
    raise RuntimeError(PHONE_UNDECRYPTABLE)
