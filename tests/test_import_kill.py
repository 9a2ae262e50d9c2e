"""The server killed during an import (issue 18, Tests: faults): all rows or none, the batch
recoverable or marked failed, and a re-import succeeds.

A real gunicorn serves a database this test shares with it (a SQLite file, or a scratch
database on DATABASE_URL's PostgreSQL, tables straight from the models). A staff import is
uploaded and confirmed, and a lab file imported, through HTTP as A1's officer. The write is
stopped at a known point inside its transaction (`parkguard/lib/fault_points.py`: the worker
renames an armed file, writes its pid in it and waits), and that worker is killed with
SIGKILL; nothing is timed. Then: nothing of the file is in the ledger, the samples or the
statuses; the housekeeping (run as if the lease had run out) sends the staff import back to
"ready" and marks the lab import failed with a Chinese reason, dropping its scratch tables;
and, on a fresh server, confirming again and importing the file again write every row.
The shared database, the bounded waits, the driver runs and the fault points: tests/_procs.py.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from parkguard.people.importing.messages import APPLY_STALLED
from parkguard.sampling.jobs import INTERRUPTED
from tests._procs import arm, run_json, scratch_database, wait
from tests.people import sheets

ROOT = Path(__file__).resolve().parent.parent
DRIVER = str(Path(__file__).with_name("import_kill_driver.py"))
DEADLINE = 30.0  # seconds any one wait may take
LEASE = 120  # PARKGUARD_IMPORT_LEASE_SECONDS of the server under test
STAFF_ROWS = 600  # under the background threshold: checked and merged in the request


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Site:
    env: dict[str, str]
    faults: Path
    logs: Path
    data: dict[str, Any]

    def run(self, *args: str) -> Any:
        return run_json(DRIVER, self.env, *args)

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        """Read the shared database directly (no Django process to start for a count)."""
        url = self.env["DATABASE_URL"]
        if url.startswith("sqlite:"):
            with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
                return conn.execute(query.replace("%s", "?"), params).fetchall()
        import psycopg

        with psycopg.connect(url) as conn:
            return conn.execute(query, params).fetchall()

    def state(self) -> dict[str, Any]:
        """The ledger, the tubes, the statuses, the imports and the scratch tables."""
        one = lambda query, *params: self.sql(query, *params)[0][0]  # noqa: E731
        pending = "SELECT count(*) FROM sampling_sample WHERE barcode LIKE 'K%%' AND result = %s"
        statuses = (
            "SELECT count(*) FROM status_personstatus s JOIN people_person p "
            "ON p.id = s.person_id WHERE p.name LIKE '受检%%' AND "
        )
        if self.env["DATABASE_URL"].startswith("sqlite:"):
            tables = "SELECT name FROM sqlite_master WHERE type = 'table'"
        else:
            tables = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        return {
            "people": one(
                "SELECT count(*) FROM people_person WHERE enterprise_id = %s",
                self.data["enterprise"],
            ),
            "person_imports": [
                dict(zip(("pk", "status", "message", "create_count"), row, strict=True))
                for row in self.sql(
                    "SELECT id, status, message, create_count FROM people_personimport ORDER BY id"
                )
            ],
            "pending": one(pending, "pending"),
            "negative": one(pending, "negative"),
            "pending_statuses": one(statuses + "s.pending_results = 1"),
            "negative_statuses": one(statuses + "s.latest_negative_at IS NOT NULL"),
            "lab_imports": [
                {"pk": pk, "state": st, "written": w, "errors": _json(errors)}
                for pk, st, w, errors in self.sql(
                    "SELECT id, state, written, errors FROM sampling_resultimport ORDER BY id"
                )
            ],
            "scratch_tables": sorted(
                name
                for (name,) in self.sql(tables)
                if name.startswith(("sampling_stage_", "sampling_delta_"))
            ),
        }

    def arm(self, point: str) -> Path:
        return arm(self.faults, point)

    def browser(self) -> requests.Session:
        """A session of A1's officer, with the CSRF cookie a form page sets."""
        session = requests.Session()
        session.cookies.set("sessionid", self.data["session"])
        return session


class Server:
    """gunicorn with one sync worker on a free loopback port. The application is loaded in the
    master (`--preload`), so a worker killed is replaced by a fork at once, as in production."""

    def __init__(self, site: Site) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        log = (site.logs / f"gunicorn-{self.port}.log").open("wb")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "parkguard.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--preload",
                "--workers",
                "1",
                "--timeout",
                str(LEASE),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=site.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait("gunicorn to answer", self._up)

    def _up(self) -> bool:
        if self.proc.poll() is not None:
            pytest.fail(f"gunicorn exited with {self.proc.returncode}")
        try:
            return requests.get(f"{self.base}/healthz", timeout=DEADLINE).status_code == 200
        except requests.ConnectionError:
            return False

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("kill")
    faults, logs = tmp / "faults", tmp / "logs"
    faults.mkdir()
    logs.mkdir()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "parkguard.settings",
        "PARKGUARD_ENV": "test",
        "PARKGUARD_VAR_DIR": str(tmp / "var"),
        "PARKGUARD_FAULT_POINTS_DIR": str(faults),
        "PARKGUARD_IMPORT_LEASE_SECONDS": str(LEASE),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    with scratch_database(tmp, "kill") as url:
        env["DATABASE_URL"] = url
        site = Site(env=env, faults=faults, logs=logs, data={})
        site.data = site.run("prepare")
        yield site


@pytest.fixture(scope="module")
def server(site: Site) -> Iterator[Server]:
    running = Server(site)
    try:
        yield running
    finally:
        running.stop()


def _post_and_die(session: requests.Session, url: str, **kwargs: Any) -> threading.Thread:
    """POST in a thread: the request never gets its answer (its worker is killed)."""

    def send() -> None:
        with contextlib.suppress(requests.RequestException):
            session.post(url, allow_redirects=False, timeout=DEADLINE * 2, **kwargs)

    thread = threading.Thread(target=send)
    thread.start()
    return thread


def _kill_at(server: Server, reached: Path, thread: threading.Thread) -> None:
    """Wait until the worker is stopped at the point, then SIGKILL exactly that process; the
    master forks a new worker."""
    wait(
        "the worker to reach the fault point",
        lambda: reached.exists() and bool(reached.read_text()),
    )
    pid = int(reached.read_text())
    assert pid != server.proc.pid  # the gunicorn worker, not its master
    os.kill(pid, signal.SIGKILL)
    thread.join(timeout=DEADLINE)
    assert not thread.is_alive()
    wait("a new worker", server._up)


def _csrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=DEADLINE)
    assert page.status_code == 200, page.status_code
    return str(session.cookies["csrftoken"])


def test_a_server_killed_mid_merge_writes_no_person_and_the_import_is_confirmed_again(
    site: Site, server: Server
) -> None:
    enterprise = site.data["enterprise"]
    before = site.state()
    body = sheets.csv([sheets.row(50_000 + n) for n in range(STAFF_ROWS)])
    session = site.browser()
    upload = f"{server.base}/enterprises/{enterprise}/people/import/"
    token = _csrf(session, upload)
    sent = session.post(
        upload,
        data={"csrfmiddlewaretoken": token},
        files={"file": ("台账.csv", body, "text/csv")},
        allow_redirects=False,
        timeout=DEADLINE,
    )
    assert sent.status_code == 302, sent.text[:2000]
    batch_id = int(sent.headers["Location"].rstrip("/").split("/")[-1])
    [checked] = [b for b in site.state()["person_imports"] if b["pk"] == batch_id]
    assert (checked["status"], checked["create_count"]) == ("ready", STAFF_ROWS)

    reached = site.arm("person_import_merge")
    confirm = f"{server.base}/imports/{batch_id}/confirm/"
    _kill_at(server, reached, _post_and_die(session, confirm, data={"csrfmiddlewaretoken": token}))

    killed = site.state()
    assert killed["people"] == before["people"]  # none of the 600 rows
    [batch] = [b for b in killed["person_imports"] if b["pk"] == batch_id]
    assert batch["status"] == "applying"  # its lease not yet run out

    assert site.run("recover", str(LEASE + 1))["people"] == 1
    [batch] = [b for b in site.state()["person_imports"] if b["pk"] == batch_id]
    assert (batch["status"], batch["message"]) == ("ready", APPLY_STALLED)

    again = session.post(
        f"{server.base}/imports/{batch_id}/confirm/",
        data={"csrfmiddlewaretoken": token},
        allow_redirects=False,
        timeout=DEADLINE,
    )
    assert again.status_code == 302
    done = site.state()
    [batch] = [b for b in done["person_imports"] if b["pk"] == batch_id]
    assert (batch["status"], batch["create_count"]) == ("done", STAFF_ROWS)
    assert done["people"] == before["people"] + STAFF_ROWS  # all of them


def _lab_file(site: Site) -> bytes:
    taken = site.data["taken"]
    lines = ["条码号,检测结果,采样时间,检测时间"]
    lines += [f"{code},阴性,{taken},{taken}" for code in site.data["barcodes"]]
    return ("\n".join(lines) + "\n").encode()


def test_a_server_killed_mid_lab_import_writes_no_result_and_the_file_imports_again(
    site: Site, server: Server
) -> None:
    enterprise, count = site.data["enterprise"], len(site.data["barcodes"])
    body = _lab_file(site)
    before = site.state()
    assert (before["pending"], before["pending_statuses"]) == (count, count)
    session = site.browser()
    page = f"{server.base}/sampling/enterprises/{enterprise}/import/"
    token = _csrf(session, page)
    form = {"csrfmiddlewaretoken": token, "lab": str(site.data["lab"])}  # dry run unticked
    reached = site.arm("lab_import_write")
    files = {"file": ("结果.csv", body, "text/csv")}
    _kill_at(server, reached, _post_and_die(session, page, data=form, files=files))

    killed = site.state()
    # Nothing of the file: every tube still pending, every status as it was.
    assert (killed["pending"], killed["negative"]) == (count, 0)
    assert (killed["pending_statuses"], killed["negative_statuses"]) == (count, 0)
    [batch] = [b for b in killed["lab_imports"] if b not in before["lab_imports"]]
    assert batch["state"] == "running"

    assert site.run("recover", str(LEASE + 1))["lab"] == 1
    recovered = site.state()
    [batch] = [b for b in recovered["lab_imports"] if b["pk"] == batch["pk"]]
    assert batch["state"] == "failed"
    assert batch["errors"] == [{"row": 0, "column": "", "message": INTERRUPTED}]
    assert recovered["scratch_tables"] == []  # PostgreSQL's unlogged stage tables dropped

    again = session.post(page, data=form, files=files, allow_redirects=False, timeout=DEADLINE)
    assert again.status_code == 302, again.text[:2000]
    done = site.state()
    assert done["lab_imports"][-1]["state"] == "done"
    assert done["lab_imports"][-1]["written"] == count
    assert (done["pending"], done["negative"]) == (0, count)
    assert (done["pending_statuses"], done["negative_statuses"]) == (0, count)
