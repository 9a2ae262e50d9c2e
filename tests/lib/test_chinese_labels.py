"""Every label the back office shows is Chinese (issue 9 §6): no "PHONE MASKED" left.

Walks every registered ModelAdmin's list columns, filters, form fields and read-only
fields, and the audit log's actions.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.contrib import admin
from django.contrib.admin.utils import label_for_field
from django.test import Client

from parkguard.audit.labels import ACTION_LABELS, action_label
from tests.factories import World

Clients = Callable[[str | None], Client]

CJK = re.compile(r"[\u4e00-\u9fff]")
# Django's own admins (users, groups) are translated by Django itself.
DJANGO_APPS = {"auth", "sessions", "contenttypes"}


def _labels() -> list[tuple[str, str]]:
    found = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in DJANGO_APPS:
            continue
        names = [
            *(n for n in model_admin.list_display if n != "__str__"),
            *(n for n in model_admin.list_filter if isinstance(n, str)),
            *(model_admin.fields or ()),
            *model_admin.readonly_fields,
        ]
        for name in names:
            label = str(label_for_field(name, model, model_admin))
            found.append((f"{model.__name__}.{name}", label))
    return found


def test_every_admin_label_is_chinese() -> None:
    english = [(where, label) for where, label in _labels() if not CJK.search(label)]
    assert english == []


def test_audit_actions_read_in_chinese() -> None:
    assert action_label("id_reveal") == ACTION_LABELS["id_reveal"]
    assert all(CJK.search(label) for label in ACTION_LABELS.values())
    assert action_label("made_up") == "made_up"


def test_error_pages_are_chinese_with_a_way_back(client_as: Clients, world: World) -> None:
    """Issue 9 §6: 404, 403 and a CSRF failure answer in Chinese and link home."""
    from parkguard.lib.outage import CSRF_FAILED

    client = client_as("a1_officer")
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    body = missing.content.decode()
    assert "页面不存在" in body and 'href="/"' in body and "Not Found" not in body
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.users["a1_officer"])
    refused = strict.post("/people/lookup/", {"numbers": "1"})
    assert refused.status_code == 403
    assert CSRF_FAILED in refused.content.decode() and 'href="/"' in refused.content.decode()
    assert "CSRF verification failed" not in refused.content.decode()


def test_everyday_pages_show_no_requirement_ids() -> None:
    """Issue 9 §6: requirement IDs only on pack pages (templates/rules), never elsewhere."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    code = re.compile(r"\b[A-Z]{1,2}-[0-9]+(\.[0-9]+)*[a-z]?\b")
    found = [
        f"{path.relative_to(root)}: {match.group()}"
        for path in root.rglob("*.html")
        if path.relative_to(root).parts[0] != "rules"
        for match in code.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_api_docs_are_linked_from_every_page(client_as: Clients) -> None:
    page = client_as("a1_officer").get("/people/", follow=True)
    assert 'href="/api/v1/docs"' in page.content.decode()


def test_every_audit_action_the_code_writes_has_a_chinese_label() -> None:
    """The audit page showed "command.checkpoint.staffed": every action an audit call writes
    (a literal, or an f-string over a closed set of values) has a label."""
    from pathlib import Path

    from parkguard.command.choices import Deadline

    root = Path(__file__).resolve().parents[2] / "parkguard"
    call = re.compile(r"audit\w*\(")
    written: set[str] = set()
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r'action=(f?)"([a-z_.{}]+)"', text):
            if not call.search(text[max(0, match.start() - 300) : match.start()]):
                continue  # a permission check's action (`can(…, action=…)`), not an audit entry
            action = match.group(2)
            if "{what}" in action and "checkpoint" in action:
                written |= {action.replace("{what}", w) for w in Deadline.values}
            elif "{what}" in action:
                written |= {action.replace("{what}", w) for w in ("trucks", "passes", "parcels")}
            else:
                written.add(action)
    assert len(written) > 50  # the scan found the audit calls
    assert sorted(a for a in written if a not in ACTION_LABELS) == []
