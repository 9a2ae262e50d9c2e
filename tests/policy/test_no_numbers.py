"""No number from a government notice lives in Python: every one is in a rule pack.

Covers every module under ``parkguard/``. Two rules:

1. A duration or a head count written as a literal is refused everywhere: ``hours=48``,
   ``timedelta(days=14)``, ``headcount >= 200``. Notices are made of such numbers; they
   belong in ``parkguard/policy/packs/*.yaml`` with their citation. The only exceptions
   are the explicit, commented ``DURATION_EXCEPTIONS`` below (operational, not policy).
2. Any other literal beyond 0, 1 and 2 must sit in a context that is never a notice's figure
   (an HTTP status, a field length, a slice bound, a byte unit) or be named in the
   explicit, commented allowlist of files and values below. A new number in a module makes
   this test fail until someone decides, here, that it is not policy.

The rule engine itself (``parkguard/policy``) is held stricter: nothing beyond 0, 1 and 2,
and 100 only where a share is shown as a percentage.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import parkguard

ROOT = Path(parkguard.__file__).parent
REPO = ROOT.parent

SMALL = {0, 1, 2}  # counting, off-by-one, halves and pairs

# --- rule 1: durations and head counts ----------------------------------------------------
DURATION_WORDS = ("hours", "days", "minutes", "seconds", "weeks", "headcount")
# (file, a snippet of the line): literal durations that are the system's own, not policy.
DURATION_EXCEPTIONS = {
    # How stale a device token's "last used" stamp may get (a write-load choice).
    ("parkguard/orgs/services.py", "TOKEN_USE_RESOLUTION = timedelta(minutes=5)"),
    # The demo's clock: China Standard Time (UTC+8), and demo readings 20 hours back.
    ("parkguard/demo/builder.py", "dt.timezone(dt.timedelta(hours=8))"),
    ("parkguard/demo/builder.py", "dt.timedelta(hours=20)"),
    # How far a gate device's clock may run ahead of the server's (a reading "from the future").
    ("parkguard/health/services.py", "timedelta(minutes=5):  # device clocks drift"),
    # How far a kiosk's or gate device's clock may run ahead for a check's time (the gate).
    ("parkguard/gate/services.py", "CLOCK_DRIFT = dt.timedelta(minutes=2)"),
    # The demo's reports: one submitted 40 minutes before its deadline, one 50 after.
    ("parkguard/demo/reporting.py", "due + dt.timedelta(minutes=50) if late"),
    # Audit entries are kept at least 180 days (issue 18 §1, ParkGuard's own promise).
    ("parkguard/settings.py", "if AUDIT_RETAIN_DAYS < 180:"),
    # A truck crew's temporary pass lasts at most a day (stop, unload, leave; exit ends it).
    ("parkguard/logistics/services.py", "valid_until=at + dt.timedelta(hours=24)"),
    # The supplies export's default window: the last seven days.
    ("parkguard/supplies/views.py", "today - dt.timedelta(days=6)"),
    # The demo's clock offsets for closed loop, leave and faults (hours, days, minutes back).
    ("parkguard/demo/continuity.py", "dt.timedelta(hours=3)"),
    ("parkguard/demo/continuity.py", "dt.timedelta(days=3)"),
    ("parkguard/demo/continuity.py", "dt.timedelta(days=4)"),
    ("parkguard/demo/continuity.py", "dt.timedelta(minutes=50)"),
    ("parkguard/demo/continuity.py", "dt.timedelta(minutes=40)"),
}

# --- rule 2: other numbers ------------------------------------------------------------------
# Keyword arguments whose number is a size, a layout or a protocol value, never policy.
SAFE_KEYWORDS = {
    "max_length",  # field lengths (models, forms, schemas)
    "length",  # token / digest lengths
    "width",  # spreadsheet column widths
    "batch_size",  # bulk_create chunking
    "status",  # HTTP status codes
    "le",  # pydantic input bounds (page size, sanity bounds on typed numbers)
    "ge",
    "max",  # importer: length limits per cell
    "start",  # enumerate(..., start=n) row numbering
}
HTTP_STATUSES = {200, 201, 204, 302, 400, 401, 403, 404, 405, 409, 413, 422, 429}
BYTE_UNIT = 1024  # KiB / MiB arithmetic

# Whole files whose numbers are data formats, layout or deployment defaults, not policy.
# Rule 1 still applies inside them.
SAFE_FILES = {
    # Deployment defaults, each read from an environment variable.
    "parkguard/settings.py",
    # The ID number format (GB 11643-1999: region, birth date, sequence, check digit) and
    # the mobile number format: positions and lengths.
    "parkguard/people/identity.py",
    # The ID mask's digits shown (first 3, last 2), moved here from people/identity.py so that
    # free text shown to others masks an ID number the same way (lib/free_text.py).
    "parkguard/lib/identifiers.py",
    # Spreadsheet layout of the export (column widths, header rows, styles).
    "parkguard/people/exporting.py",
    # The same for the daily report, its county roll-up and a person's own record.
    "parkguard/reporting/exporting.py",
    "parkguard/privacy/exporting.py",
    # The roll-up's one hand-written SQL statement: positions of the columns in its rows.
    "parkguard/reporting/selectors.py",
    # Cell formats of an import: Excel's date epoch and largest serial, the digit counts of
    # ID numbers and phones, date text positions.
    "parkguard/people/importing/cells.py",
    # Upload safety limits and the xlsx (zip/XML) format: bytes, parts, rows, columns.
    "parkguard/people/sheets.py",
    # Spreadsheet layout of the rectification ledger (column widths, title rows, font sizes,
    # the A4 paper code).
    "parkguard/oversight/exporting.py",
}
# Demo data: the demo county builder (parkguard/demo/).
SAFE_DIRS = ("parkguard/demo/",)

# Per file, the values it may hold, with what they are.
SAFE_VALUES: dict[str, set[int | float]] = {
    # Advisory-lock key of the audit chain; hex length of a SHA-256 digest.
    "parkguard/audit/services.py": {64, 1346847061},
    # Database connection age in seconds (CONN_MAX_AGE).
    "parkguard/lib/env.py": {60},
    # Device token entropy in bytes.
    # ... and the device tokens a process keeps before emptying its token cache (1000).
    "parkguard/orgs/services.py": {32, 1000},
    # How many days a schedule or report preview page shows at most (a page length, 62), and
    # the height of the draft-pack text box (16 rows).
    "parkguard/rules/forms.py": {16, 62},
    # The largest pack text the packs API accepts (512 KiB): a request-size bound.
    "parkguard/rules/api.py": {512},
    # Default page size of the ledger API.
    "parkguard/people/api.py": {100},
    # Default spreadsheet column width.
    "parkguard/people/columns.py": {12},
    # Import checker: a sanity bound on vaccination doses (9), rows per progress step (2000),
    # cell lengths (30/50/100/200, the model's), hex and ID digit positions (16/17).
    # Rows the preview lists one by one (500, a page length); positions 3/4 of the stored
    # identity in a row-key lookup (mask, tail, gender, birth: tuple indexes).
    "parkguard/people/importing/checker.py": {3, 4, 9, 16, 17, 30, 50, 100, 200, 500, 2000},
    # Row keys: MAC bytes kept (12, 96 bits) and the base of the ids (36): a token format.
    "parkguard/people/rowkeys.py": {12, 36},
    # Import messages: how many valid names an "unknown value" message lists (a display length).
    "parkguard/people/importing/messages.py": {10},
    # A sanity bound on an application's head count input (a million), so an absurd number is a
    # field error rather than a database overflow; not a notice's threshold.
    "parkguard/oversight/forms.py": {1000000},
    # Photo uploads of inspections: 8 MiB per photo, 6 photos per upload (safety limits).
    "parkguard/oversight/photos.py": {6, 8},
    # Hotline response times shown in minutes and hours (unit arithmetic, 60), the readiness
    # share as a percentage (100), the hotline list's page length (500).
    "parkguard/oversight/selectors.py": {60, 100, 500},
    # The cadres' assessment shows the on-time share as a percentage (100).
    "parkguard/oversight/assessment.py": {100},
    # Import jobs: rows and bytes (16 MiB) from which a file goes to a background job.
    "parkguard/people/importing/jobs.py": {16, 5000},
    # Staged rows written per INSERT.
    "parkguard/people/importing/staging.py": {5000},
    # Percent of an import done.
    "parkguard/people/models.py": {100},
    # Health: temperatures in tenths (10), the input box width (5), a dose sanity bound (10),
    # decimal places (4 digits), days in the officer's chart (14), percentages (100), the
    # vaccination band "3 doses or more" for the coverage table (a display grouping).
    "parkguard/health/forms.py": {5, 10},
    "parkguard/health/models.py": {4},
    "parkguard/health/selectors.py": {3, 100},
    "parkguard/health/services.py": {10},
    # The gate: decimal places of a temperature (4 digits); the rate-limit window of a device
    # (60 s, product setting); random bytes of a pass serial (12), the signature length kept
    # (22 base64url chars = 128 bits) and the base of the token's numbers (36).
    "parkguard/gate/models.py": {4},
    "parkguard/gate/api.py": {60},
    # The credential POST limit's window (60 s, a product setting; issue 18 §3).
    "parkguard/orgs/login.py": {60},
    # The device API's rate-limit window (60 s, a product setting like the gate's; issue 18 §3).
    "parkguard/gate/tokens.py": {12, 22, 36},
    # Candidates the manual path lists (5) and log rows on a page (200); QR module sizes in
    # pixels (8 on a phone, 14 on an A4 poster) and the quiet zone of 4 modules (the QR spec).
    "parkguard/gate/selectors.py": {5, 200},
    # Entries (park × place × day) the gate's pack cache holds before it is emptied.
    "parkguard/gate/services.py": {1000},
    "parkguard/gate/views.py": {4, 8, 14},
    "parkguard/health/views.py": {14, 100},
    # Sampling (tests and lab import): staged rows per batch (10000), errors listed per file
    # (200), bytes per COPY write (1 << 20), the staged row's tuple positions (5), distinct
    # time texts cached per file
    # (100000), a share's digits (4 digits, 3 decimals), results on "my results" (20),
    # barcode and lab-header lengths (40, 50) and the photo upload cap in MB (5), blank
    # mapping rows offered (3), antigen tests listed (100).
    "parkguard/sampling/importing.py": {5, 20, 200, 10_000},
    # Rows per API post (5000, beyond it a file) and people per posted tube (1000).
    "parkguard/sampling/api.py": {1000, 5000},
    "parkguard/sampling/labfile.py": {100_000},
    "parkguard/sampling/models.py": {3, 4},
    "parkguard/sampling/selectors.py": {20},
    "parkguard/sampling/services.py": {5, 40, 50},
    "parkguard/sampling/views.py": {3, 100},
    # Status upkeep: rows per bulk statement (5000, 1000) and differences a rebuild lists (50).
    "parkguard/status/models.py": {4},
    "parkguard/status/services.py": {50, 1000, 5000},
    # Bulk rows: rows from which COPY pays (200), rows per ORM bulk statement (1000) and
    # PostgreSQL's longest name (63 bytes).
    "parkguard/lib/bulk_rows.py": {63, 200, 1000},
    # psycopg's prepare threshold no statement count reaches (2**62): only the hot path's
    # statements asked for are prepared.
    "parkguard/lib/hot_sql.py": {62},
    # Duties: differences a rebuild lists (50), rows per page of a list (50), the largest
    # 64-bit id (2**63), a bound on pages (10**6), days in the dashboards' trend charts (14),
    # percentages (100); the ledger workbook's column widths (8 to 28 characters).
    "parkguard/duties/services.py": {8, 10, 12, 14, 16, 18, 24, 28, 50},
    "parkguard/duties/selectors.py": {6, 10, 14, 50, 63, 100},
    # The largest 64-bit id (2**63 - 1) an API path may carry; a field error's HTTP status
    # (422) as `error_at`'s default.
    "parkguard/lib/api_errors.py": {63, 422},
    # The device-token rate limit: its window (a minute, in seconds) and its HTTP status (429).
    "parkguard/api/auth.py": {60, 429},
    # How often the import recoveries run (once a minute, in seconds): the lease order's floor.
    "parkguard/lib/queue_lease.py": {60},
    # The audit page: a filter text's length and the rows a page lists (display lengths);
    # its export: the most rows one file holds, event ids per query (SQLite's bound on query
    # parameters), the sheet's column widths (20, 40 characters) and the reason's column (4).
    "parkguard/orgs/audit_log.py": {50, 20_000, 500, 20, 40, 4},
    # The page's rows (a display length) and its HTTP statuses (200, 400 for a bad filter).
    "parkguard/orgs/audit_views.py": {50, 200, 400},
    # How many done duties "我的待办" keeps below the open ones, and the rows the liaison's
    # and the park's filing lists show, page and API alike (display lengths).
    "parkguard/mobility/selectors.py": {5, 200},
    # Retry-After seconds of a 503; the HTTP statuses the request guard and outage pages answer.
    "parkguard/lib/api_failures.py": {30},
    "parkguard/lib/outage.py": {500, 503},
    # Seconds between a paused fault-test worker's looks for its release file.
    "parkguard/lib/fault_points.py": {0.01},
    "parkguard/lib/request_guard.py": {400, 413, 422},
    # Notify: page sizes (20, 30, 50), a vendor's message size cap (4000 bytes) and robot
    # response bytes read (1000), a secret hint length (4), the shortest value masked in a
    # group text (8), the shortest phone masked (7), delivery retries (5) and their first
    # delay in seconds (30), the largest response body read (65536).
    "parkguard/notify/api.py": {50},
    "parkguard/notify/reminders.py": {50},
    "parkguard/notify/robots.py": {1000, 4000},
    "parkguard/notify/sealing.py": {4},
    "parkguard/notify/selectors.py": {20},
    "parkguard/notify/services.py": {8},
    "parkguard/notify/sms.py": {7},
    "parkguard/notify/tasks.py": {5, 30},
    "parkguard/notify/transport.py": {65536},
    "parkguard/notify/views.py": {30},
    # Accounts: activation code digits (12) shown in groups of 4, Django's username length
    # (150), a login prefix length (20); codes shown on one printed sheet (300).
    "parkguard/orgs/accounts.py": {4, 12, 150},
    # RFC 6238 as authenticator apps read it (30-second steps, 6 digits), a 20-byte secret,
    # the base32 secret shown in groups of 4.
    "parkguard/orgs/second_factor.py": {4, 6, 20, 30},
    # HTTP statuses of the enrol and verify pages (422 for a wrong code).
    "parkguard/orgs/security_views.py": {200, 422},
    # A session's browser label length; the network shown instead of the address (IPv4 /24,
    # IPv6 /48), and the IP version number.
    "parkguard/orgs/sessions.py": {4, 24, 48, 120},
    # The shortest reason a manual override takes (characters).
    "parkguard/status/overrides.py": {4},
    # Rows shown on the entry-holds page (history, people on hold).
    "parkguard/status/views.py": {50, 200},
    # Overrides listed per API call.
    "parkguard/status/api.py": {200},
    # Zones and incidents: rows per API list and per page list (200), seconds in a minute (60),
    # index-case passages OR-ed per tracing query (200), moves and incidents shown (30), people
    # in the page's pickers (2000), levels of the chain of transmission drawn (3). The minutes
    # and days themselves come from the packs.
    "parkguard/response/api.py": {200},
    "parkguard/response/models.py": {60},
    # Lockdown command: seconds in an hour (a shift's length shown in hours), orders on the
    # board (50, a page length), people and enterprises a form lists (500, a page length).
    "parkguard/command/models.py": {3600},
    # Phones at rest: the sealed value's column length (nonce, ciphertext, tag in base64).
    "parkguard/people/fields.py": {160},
    # Privacy: text box heights, the shortest meaningful request, text length bounds, rows
    # per page and per download, deletion batches (1000). Retention days come from settings.
    "parkguard/privacy/forms.py": {3, 4},
    "parkguard/privacy/selectors.py": {50, 200, 10_000},
    "parkguard/privacy/services.py": {4, 500, 1000},
    # Reporting: the largest figure typed into a row, text length bounds.
    "parkguard/reporting/services.py": {1_000_000, 300, 2000},
    # Continuity: seconds in a minute (repair time in minutes), sanity bounds on typed counts;
    # export bounds (rows per export, days per disinfection export, the default week).
    "parkguard/continuity/models.py": {60},
    "parkguard/continuity/services.py": {100_000, 999},
    "parkguard/logistics/export_views.py": {5000},
    "parkguard/supplies/views.py": {62, 6},
    "parkguard/command/selectors.py": {50},
    "parkguard/command/views.py": {500},
    "parkguard/response/selectors.py": {200, 3},
    # (and 100: a site-plan position is a percent of the plan's width and height)
    "parkguard/response/services.py": {200, 100},
    # The SVG sanitiser's bounds on elements and nesting depth (a parser's safety, not policy);
    # 100: the longest element id an area may be bound to (the plan_region column's length).
    "parkguard/response/svg.py": {20_000, 64, 100},
    "parkguard/response/views.py": {30, 2000},
    "parkguard/people/logins.py": {20},
    "parkguard/people/logins_views.py": {300},
    # The largest ledger offset the database accepts; search by the last 6 characters of an
    # ID (its format), an 11-digit mobile number (its format), how much of a malformed pasted
    # value is echoed (20 characters, masked above 9): display lengths.
    "parkguard/people/selectors.py": {4, 6, 9, 10, 11, 20, 10_000_000},
    # The pasted 协查 list's text bound (64 KiB) and its textarea's height: input sizes.
    "parkguard/people/forms.py": {10, 64},
    # Pinyin initials: at most one per character of a 50-character name (the field length).
    "parkguard/people/pinyin.py": {50},
    # The ledger page answers 422 to a refused search (and 200 otherwise); it shows 50
    # people a page, the community roster 100 residents a page (display lengths).
    "parkguard/people/views.py": {50, 100, 200, 422},
    # An ID tail search is at most 4 characters; the history panel shows 10 changes.
    # A reason must have 4 characters. The assistance lookup's budget is per hour (3600 s, a
    # product setting's window like the credential limit's minute; issue 18).
    "parkguard/people/services.py": {4, 3600},
    # Page size of the ledger (50).
    # Mobility: the digits of a GB/T 2260 code naming the province and prefecture (2, 4);
    # the length of a division code field (12: six digits and a development zone's suffix).
    "parkguard/mobility/divisions.py": {4},
    "parkguard/mobility/models.py": {12},
    # Page sizes: division search results (20), register and board rows (100, 200, 500, 1000);
    # the rows of destinations a phone form offers (3); a page's 422 on refused input.
    "parkguard/mobility/api.py": {20, 500, 1000},
    "parkguard/mobility/forms.py": {3},
    "parkguard/mobility/views.py": {10, 20, 100, 200, 422, 500},
    # A mobile number's digits (11); bytes of a visitor link's random nonce (16).
    "parkguard/mobility/visitors.py": {11, 16},
    # Rows read per round trip when the impact preview streams the open returns; positions
    # (8, 9, 10) of the old plan's columns in a streamed row.
    "parkguard/mobility/impact.py": {8, 9, 10, 2000},
    # Supplies: the ledger export's column width (14 characters); digits of a days-of-cover
    # figure (max_digits=8 with one decimal place).
    "parkguard/supplies/exporting.py": {14},
    "parkguard/supplies/models.py": {8},
    # Trucks: digits of a temperature (4), seconds per minute of a dwell time (60), the link
    # nonce's bytes (16); the pages answer 200, 400 or 422 (a refused form).
    "parkguard/logistics/models.py": {4},
    "parkguard/logistics/services.py": {16, 60},
    "parkguard/logistics/views.py": {200, 400, 422},
    # Transport passes: the pages answer 200 or 422; a pass nonce's bytes (16); the QR
    # code's module size in pixels (4, as the second-factor QR draws it).
    "parkguard/logistics/pass_views.py": {200, 422},
    "parkguard/logistics/parcel_views.py": {200, 422},
    "parkguard/logistics/passes.py": {4, 16},
    # A share shown as a percentage.
    "parkguard/policy/explain.py": {100},
    "parkguard/policy/schedules.py": {100},
}
# Generated schema (field lengths); their numbers follow the models above.
SKIPPED_PARTS = {"migrations"}


def _is_number(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Constant)
        and type(node.value) in (int, float)
        and not isinstance(node.value, bool)
    )


def _value(node: ast.AST) -> int | float | None:
    """A literal number, also negated (``-4``)."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and _is_number(node.operand):
        return -node.operand.value  # type: ignore[attr-defined]
    if _is_number(node):
        return node.value  # type: ignore[attr-defined]
    return None


def _names(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Call):
        return _names(node.func)
    return ""


def _duration_word(name: str | None) -> bool:
    return bool(name) and any(word in name.lower() for word in DURATION_WORDS)  # type: ignore[union-attr]


def _http_context(node: ast.AST, parent: ast.AST | None) -> bool:
    """An HTTP status where statuses are written: ``status=``, ``Status(201, ...)``, the keys
    of a ``response={...}`` map, or a comparison with a ``status_code``."""
    if isinstance(parent, ast.keyword):
        return parent.arg == "status"
    if isinstance(parent, ast.Call):
        return _names(parent.func) in ("Status", "HttpResponse", "JsonResponse")
    if isinstance(parent, ast.Dict):
        return node in parent.keys
    if isinstance(parent, ast.Compare):
        return any("status" in _names(s) for s in (parent.left, *parent.comparators))
    return False


def check_source(text: str, rel: str) -> list[str]:
    """Every number in one module that breaks a rule, as ``file:line: what``."""
    tree = ast.parse(text)
    lines = text.splitlines()
    parents: dict[ast.AST, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    found: list[str] = []

    def excepted(node: ast.AST) -> bool:
        line = lines[node.lineno - 1] if hasattr(node, "lineno") else ""
        return any(rel == f and snippet in line for f, snippet in DURATION_EXCEPTIONS)

    # Rule 1: durations and head counts, everywhere.
    for node in ast.walk(tree):
        hits: list[tuple[ast.AST, int | float]] = []
        if isinstance(node, ast.keyword) and _duration_word(node.arg):
            value = _value(node.value)
            if value is not None:
                hits.append((node.value, value))
        elif isinstance(node, ast.Call) and _names(node.func) == "timedelta":
            hits.extend((a, v) for a in node.args if (v := _value(a)) is not None)
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(_duration_word(_names(s)) for s in sides):
                hits.extend((s, v) for s in sides if (v := _value(s)) is not None)
        for where, value in hits:
            if value not in (0, 1) and not excepted(where):
                found.append(
                    f"{rel}:{getattr(where, 'lineno', 0)}: {value} as a duration or head count"
                )

    # Rule 2: other numbers.
    if rel in SAFE_FILES or rel.startswith(SAFE_DIRS):
        return found
    strict = rel.startswith("parkguard/policy/")
    allowed = SMALL | SAFE_VALUES.get(rel, set())
    for node in ast.walk(tree):
        if not _is_number(node):
            continue
        value = node.value  # type: ignore[attr-defined]
        if value in allowed:
            continue
        parent = parents.get(node)
        if isinstance(parent, ast.UnaryOp):
            parent = parents.get(parent)
        if excepted(node):
            continue
        if not strict:
            if value == BYTE_UNIT:
                continue
            if value in HTTP_STATUSES and _http_context(node, parent):
                continue
            if isinstance(parent, ast.keyword) and parent.arg in SAFE_KEYWORDS:
                continue
            if isinstance(parent, ast.Slice):
                continue  # truncating text to a field's length, or a position in a code
        found.append(
            f"{rel}:{getattr(node, 'lineno', 0)}: {value} (a notice's number? put it in a pack)"
        )
    return found


def _modules() -> list[Path]:
    return sorted(
        p for p in ROOT.rglob("*.py") if not SKIPPED_PARTS.intersection(p.relative_to(ROOT).parts)
    )


def test_no_number_from_a_notice_lives_in_python() -> None:
    """Every policy number is in a pack, across all of parkguard/ (allowlist above)."""
    problems = [
        problem
        for path in _modules()
        for problem in check_source(
            path.read_text(encoding="utf-8"), path.relative_to(REPO).as_posix()
        )
    ]
    assert not problems, "\n".join(problems)


def test_the_allowlist_names_only_files_that_exist() -> None:
    for rel in {*SAFE_FILES, *SAFE_VALUES, *(f for f, _ in DURATION_EXCEPTIONS)}:
        assert (REPO / rel).exists(), f"stale allowlist entry {rel}"


@pytest.mark.parametrize(
    "source",
    [
        "from datetime import timedelta\nDEADLINE = timedelta(hours=48)\n",
        "import datetime as dt\n\ndef due(at):\n    return at + dt.timedelta(14)\n",
        "def large(e):\n    return e.headcount >= 200\n",
        "def plan(at, schedule):\n    return schedule(at=at, days=7)\n",
        "ENTRY_TEST_HOURS = 72\n",
        "LARGE = 200\n",
        "def report(at):\n    return at.replace(hour=18)\n",
    ],
)
def test_it_fails_on_a_notice_number_written_in_a_service(source: str) -> None:
    """Proof the check bites: each of these, in a service, is reported."""
    assert check_source(source, "parkguard/people/services.py")


def test_it_fails_on_a_duration_even_in_an_allowlisted_file() -> None:
    assert check_source("WINDOW = dict(hours=48)\n", "parkguard/settings.py")
    assert check_source("CUTOFF = timedelta(days=14)\n", "parkguard/demo/builder.py")


def test_it_accepts_lengths_statuses_and_slices() -> None:
    source = (
        "from django.db import models\n"
        "class X(models.Model):\n"
        "    name = models.CharField(max_length=120)\n"
        "def f(request, text):\n"
        "    return Status(201, text[:500])\n"
        "SIZE = 5 * 1024 * 1024\n"
    )
    problems = check_source(source, "parkguard/people/services.py")
    assert problems == ["parkguard/people/services.py:6: 5 (a notice's number? put it in a pack)"]
