"""Runs beside tests/test_queue_import_kill.py: the world of tests/import_kill_driver.py (LAB_PEOPLE
people of A1 with a pending tube each) on a shared database, and the huey consumer and producer
of tests/queue_redis_driver.py (Redis, with every job's start and end logged).

`prepare` builds the world and queues the lab file as a large upload is queued (encrypted,
QUEUED, leased) and prints JSON; `queue` queues the same file again (a re-import) and prints
its id; `consume`, `enqueue` as in queue_redis_driver; `recover <seconds>` as in
import_kill_driver; `state` prints what was written, the imports and `status_rebuild`'s
differences.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from tests import import_kill_driver as kill
from tests import queue_redis_driver as queue


def _queue_file(body: bytes, actor_id: int, lab_id: int, enterprise_id: int) -> int:
    from django.utils import timezone

    from parkguard.people.identity import payload_cipher
    from parkguard.sampling import importing
    from parkguard.sampling.choices import ImportState
    from parkguard.sampling.models import ResultImport

    batch = ResultImport.objects.create(
        lab_id=lab_id,
        enterprise_id=enterprise_id,
        filename="结果.csv",
        dry_run=False,
        state=ImportState.QUEUED,
        rows_total=body.count(b"\n"),
        created_by_id=actor_id,
        created_at=timezone.now(),
        lease_until=importing.lease(timezone.now()),
        data=payload_cipher().encrypt(body),
    )
    return int(batch.pk)


def _file(data: dict[str, Any]) -> bytes:
    lines = ["条码号,检测结果,采样时间,检测时间"]
    lines += [f"{code},阴性,{data['taken']},{data['taken']}" for code in data["barcodes"]]
    return ("\n".join(lines) + "\n").encode()


def prepare() -> dict[str, Any]:
    from django.contrib.sessions.models import Session

    data = kill.prepare()
    session = Session.objects.get(session_key=data["session"])
    data["actor"] = int(session.get_decoded()["_auth_user_id"])  # A1's officer
    data["batch"] = _queue_file(_file(data), data["actor"], data["lab"], data["enterprise"])
    return data


def state() -> dict[str, Any]:
    from django.db.models import Count
    from django.utils import timezone

    from parkguard.sampling.models import ResultImport, Sample
    from parkguard.status.models import PersonStatus
    from parkguard.status.services import status_rebuild

    tubes = Sample.objects.filter(barcode__startswith="K")
    statuses = PersonStatus.objects.filter(person__name__startswith="受检")
    report = status_rebuild(at=timezone.now(), write=False)
    return {
        "tubes": tubes.count(),
        "barcodes_twice": tubes.values("barcode").annotate(n=Count("pk")).filter(n__gt=1).count(),
        "pending": tubes.filter(result="pending").count(),
        "negative": tubes.filter(result="negative").count(),
        "pending_statuses": statuses.filter(pending_results=1).count(),
        "negative_statuses": statuses.filter(latest_negative_at__isnull=False).count(),
        "imports": [
            {"pk": b.pk, "state": b.state, "written": b.written, "errors": b.errors}
            for b in ResultImport.objects.order_by("pk")
        ],
        "differences": report.differences,
    }


def main(argv: list[str]) -> None:
    if argv[0] in {"consume", "enqueue"}:
        queue.main(argv)
        return
    if argv[0] == "prepare":
        out: Any = prepare()
    elif argv[0] == "queue":
        data = json.loads(argv[1])
        out = _queue_file(_file(data), data["actor"], data["lab"], data["enterprise"])
    elif argv[0] == "recover":
        out = kill.recover(int(argv[1]))
    elif argv[0] == "state":
        out = state()
    else:
        raise SystemExit(f"unknown command {argv[0]!r}")
    print(json.dumps(out, default=str), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
