"""Uploading a ledger sheet through the import page and confirming it, as an officer does."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from parkguard.people.models import PersonImport
from tests.factories import World


def ledger_upload(
    client: Client, world: World, data: bytes, name: str = "台账.xlsx"
) -> PersonImport:
    """Post `data` to enterprise a1's import page; the batch the page redirects to."""
    response = client.post(
        f"/enterprises/{world.a1.pk}/people/import/", {"file": SimpleUploadedFile(name, data)}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return PersonImport.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def ledger_confirm(client: Client, batch: PersonImport) -> PersonImport:
    """Confirm a checked batch on its page; the batch as the database now holds it."""
    response = client.post(f"/imports/{batch.pk}/confirm/")
    assert response.status_code == 302
    batch.refresh_from_db()
    return batch
