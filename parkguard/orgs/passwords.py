"""Password rules with Chinese messages where Django's own translation is missing."""

from __future__ import annotations

from django.contrib.auth import password_validation

PASSWORD_TOO_SHORT = "密码太短，至少需要 {n} 个字符"


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's rule; its zh-Hans catalogue lacks this message in 5.2, so we say it here."""

    def get_error_message(self) -> str:
        return PASSWORD_TOO_SHORT.format(n=self.min_length)
