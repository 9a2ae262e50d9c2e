"""Runs beside tests/test_import_kill.py, on the database the server under test uses
(DATABASE_URL: a SQLite file or a scratch PostgreSQL database), as that server's settings do.

`prepare` builds the two-park world (tables straight from the models) with LAB_PEOPLE people
of A1 holding a pending single tube each and a lab, logs A1's officer in and prints what the
test needs as JSON; `recover` runs
the housekeeping of both imports as if `seconds` had passed (nothing waits for a lease).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parkguard.settings")
django.setup()

LAB_PEOPLE = 400


def prepare() -> dict[str, Any]:
    from django.apps import apps
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from parkguard.orgs.access import SYSTEM
    from parkguard.people.models import Person
    from parkguard.sampling.choices import Result, SampleKind
    from parkguard.sampling.models import Sample, SampleMember
    from parkguard.sampling.services import lab_create
    from parkguard.status.models import PersonStatus
    from tests.factories import build_world

    settings.MIGRATION_MODULES = {a.label: None for a in apps.get_app_configs()}
    call_command("migrate", run_syncdb=True, verbosity=0)
    world = build_world()
    lab, _ = lab_create(scope=SYSTEM, jurisdiction=world.park_a, name="甲园区检测中心", by=None)
    taken = timezone.now() - dt.timedelta(hours=3)
    people = Person.objects.bulk_create(
        Person(
            enterprise=world.a1,
            name=f"受检{i}",
            id_digest=f"kill{i:060d}",
            id_encrypted="x",
            id_masked="450*************12",
            id_tail="0012",
            gender="male",
            birth_date=dt.date(1990, 1, 1),
            phone=f"137{i:08d}",
            category="regular",
        )
        for i in range(LAB_PEOPLE)
    )
    samples = Sample.objects.bulk_create(
        Sample(
            enterprise=world.a1,
            kind=SampleKind.SINGLE,
            barcode=f"K{i:06d}",
            taken_at=taken,
            result=Result.PENDING,
        )
        for i in range(LAB_PEOPLE)
    )
    SampleMember.objects.bulk_create(
        SampleMember(sample=s, person=p) for s, p in zip(samples, people, strict=True)
    )
    PersonStatus.objects.bulk_create(
        PersonStatus(person=p, enterprise=world.a1, pending_results=1) for p in people
    )
    client = Client()
    client.force_login(world.users["a1_officer"])
    return {
        "enterprise": world.a1.pk,
        "lab": lab.pk,
        "session": client.cookies["sessionid"].value,
        "barcodes": [s.barcode for s in samples],
        "taken": timezone.localtime(taken).strftime("%Y-%m-%d %H:%M"),
    }


def _killed_sessions_gone() -> None:
    """On PostgreSQL, until the killed worker's backend has rolled back (it notices the closed
    socket at once; this only makes the order certain): a row lock it held would be skipped."""
    import time

    from django.db import connection

    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + 20
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%%'"
            )
            if cursor.fetchone()[0] == 0 or time.monotonic() > deadline:
                return
            time.sleep(0.02)


def recover(seconds: int) -> dict[str, int]:
    from django.utils import timezone

    from parkguard.people.importing.jobs import person_import_recover
    from parkguard.sampling.jobs import result_import_recover

    _killed_sessions_gone()
    later = timezone.now() + dt.timedelta(seconds=seconds)
    return {
        "people": person_import_recover(now=later),
        "lab": result_import_recover(now=later),
    }


def main(argv: list[str]) -> None:
    if argv[0] == "prepare":
        out: Any = prepare()
    elif argv[0] == "recover":
        out = recover(int(argv[1]))
    else:
        raise SystemExit(f"unknown command {argv[0]!r}")
    print(json.dumps(out, default=str), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
