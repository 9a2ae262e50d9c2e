"""Shared texts and helpers of the upload tests (issue 10 §3)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from parkguard.orgs.choices import Role
from parkguard.orgs.models import Jurisdiction, Membership
from parkguard.policy import DEFAULT_PACKS_DIR
from tests.factories import make_user

X = "example-quyu-2022-1"
X_V1 = (DEFAULT_PACKS_DIR / f"{X}.v1.yaml").read_text(encoding="utf-8")
# X v2, uploaded by a park: from 2022-12-10 the sealed-area isolation is 10 days.
X_V2 = (
    X_V1.replace("version: 1\n", "version: 2\n", 1)
    .replace("effective_from: 2022-12-01\n", "effective_from: 2022-12-10\n", 1)
    .replace(
        "{kind: centralised_isolation, days: 7, test_days: [1, 4, 7]}",
        "{kind: centralised_isolation, days: 10, test_days: [1, 4, 7, 10]}",
        1,
    )
)
# The same with a mistake a text editor makes: a tab in the indentation (line TAB_LINE).
X_V2_TAB = X_V2.replace("\nissuer: ", "\n\tissuer: ", 1)
# A pack id the site does not have.
NEW = X_V1.replace(f"id: {X}\n", "id: my-new-pack\n", 1)
AT = dt.datetime(2022, 12, 5, 9, 0, tzinfo=dt.UTC)


def second_admin(park: Jurisdiction) -> Any:
    """Another park admin of the same park (publication needs two people)."""
    user = make_user("park_a_admin2")
    Membership.objects.create(user=user, role=Role.PARK_ADMIN, jurisdiction=park)
    return user


TAB_LINE = X_V2_TAB.splitlines().index(next(s for s in X_V2_TAB.splitlines() if "\t" in s)) + 1
