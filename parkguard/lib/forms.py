"""Putting a service's field errors onto the form the user filled in."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def form_errors_apply(form: forms.BaseForm, exc: ValidationError) -> None:
    """Each message at its field; those for fields the form lacks at the top of the form."""
    for field, errors in exc.message_dict.items():
        form.add_error(None if field == "__all__" or field not in form.fields else field, errors)
