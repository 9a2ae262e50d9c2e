"""Putting a service's field errors onto the form the user filled in, or onto the next page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def form_errors_apply(form: forms.BaseForm, exc: ValidationError) -> None:
    """Each message at its field; those for fields the form lacks at the top of the form."""
    for field, errors in exc.message_dict.items():
        form.add_error(None if field == "__all__" or field not in form.fields else field, errors)


def errors_flash(request: HttpRequest, exc: ValidationError) -> None:
    """Each of a service's messages as an error on the page the user is sent back to (a
    button with no form of its own: an action on a list, a decision on a detail page)."""
    for message in exc.messages:
        messages.error(request, message)
