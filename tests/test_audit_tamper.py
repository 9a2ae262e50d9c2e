"""The audit chain against each kind of tampering (issue 8 §9).

Every link is a keyed HMAC covering the actor id; the head outside the table catches
deleted tail rows; `manage.py audit verify` names the first bad entry and exits non-zero.
Requirement: Z-6 (oversight relies on records nobody can quietly change).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from parkguard.audit import services
from parkguard.audit.models import AuditEvent, AuditHead
from parkguard.audit.services import audit_check, audit_record
from tests.factories import make_user

AT = dt.datetime(2022, 11, 15, 9, 0, tzinfo=dt.UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("audit_tamperable")]


def _chain(n: int = 4) -> list[AuditEvent]:
    user = make_user("auditor")
    return [
        audit_record(actor=user, action="id_reveal", at=AT, reason=f"核对{i}") for i in range(n)
    ]


def _kind() -> tuple[str, int | None]:
    finding = audit_check()
    assert finding is not None
    return finding.kind, finding.entry_id


def test_an_intact_chain_verifies_and_the_command_says_so(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _chain()
    assert audit_check() is None
    call_command("audit", "verify")
    assert "审计链完整：4 条记录" in capsys.readouterr().out


def test_it_names_an_edited_entry() -> None:
    events = _chain()
    AuditEvent.objects.filter(pk=events[1].pk).update(reason="改过的事由")
    assert _kind() == (services.EDITED, events[1].pk)
    with pytest.raises(CommandError, match=f"#{events[1].pk}"):
        call_command("audit", "verify")


def test_it_covers_the_actor_id() -> None:
    events = _chain()
    other = make_user("someone_else")
    AuditEvent.objects.filter(pk=events[2].pk).update(actor_id_ref=other.pk, actor=other)
    assert _kind() == (services.EDITED, events[2].pk)


def test_it_names_an_inserted_entry() -> None:
    events = _chain()
    # Make room after #1 (ids are not chained, so renumbering alone changes nothing) ...
    for event in reversed(events[2:]):
        AuditEvent.objects.filter(pk=event.pk).update(id=event.pk + 1000)
    last = events[-1].pk + 1000
    mac = services.head_mac(last_id=last, count=4, digest=events[-1].digest)
    AuditHead.objects.update(last_id=last, mac=mac)  # as if the ids had always been so
    assert audit_check() is None
    # ... and slip a forged entry in, pointing at #1's digest.
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                id=events[1].pk + 1,
                at=AT,
                actor_label="forger",
                action="id_reveal",
                prev_digest=events[1].digest,
                digest="f" * 64,
            )
        ]
    )
    assert _kind() == (services.INSERTED, events[1].pk + 1)


def test_it_names_a_deletion_in_the_middle() -> None:
    events = _chain()
    AuditEvent.objects.filter(pk=events[1].pk).delete()
    assert _kind() == (services.DELETED, events[2].pk)


def test_it_names_deleted_tail_rows() -> None:
    events = _chain()
    AuditEvent.objects.filter(pk__gte=events[2].pk).delete()
    assert _kind() == (services.DELETED, events[-1].pk)
    with pytest.raises(CommandError, match="链尾缺少记录"):
        call_command("audit", "verify")


def test_it_detects_a_chain_recomputed_without_the_key() -> None:
    """An attacker edits #1 and recomputes every digest after it, plain SHA-256 or a guessed key."""
    events = _chain()
    AuditEvent.objects.filter(pk=events[1].pk).update(reason="改过的事由")
    prev = events[0].digest
    for event in AuditEvent.objects.filter(pk__gte=events[1].pk).order_by("id"):
        body = json.dumps(services.chained_fields(event), ensure_ascii=False, sort_keys=True)
        digest = hashlib.sha256(f"{prev}|{body}".encode()).hexdigest()
        AuditEvent.objects.filter(pk=event.pk).update(prev_digest=prev, digest=digest)
        prev = digest
    AuditHead.objects.update(digest=prev)
    assert _kind() == (services.EDITED, events[1].pk)
    with override_settings(AUDIT_HMAC_KEY="a-guessed-key"):
        assert audit_check() is not None


def test_it_detects_a_rewritten_head() -> None:
    events = _chain()
    AuditEvent.objects.filter(pk=events[-1].pk).delete()
    AuditHead.objects.update(last_id=events[-2].pk, count=3, digest=events[-2].digest)
    assert _kind() == (services.HEAD, None)
