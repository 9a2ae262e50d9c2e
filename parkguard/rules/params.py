"""Numbers the Django layer needs from the rule packs in force."""

from __future__ import annotations


def large_enterprise_headcount() -> int:
    """J-1.2.5 / J-2.1: the staff count from which an enterprise gets extra measures."""
    # FIXME(wire): read from the J pack once the policy registry lands.
    return 200
