"""Enumerations of duties: what a person must do, and where the obligation stands."""

from __future__ import annotations

from django.db import models


class DutyKind(models.TextChoices):
    """What evidence satisfies a duty: a sample of this kind, a report, a document."""

    NUCLEIC_ACID = "nucleic_acid", "核酸检测"
    ANTIGEN = "antigen", "抗原检测"
    COMMUNITY_REPORT = "community_report", "向社区报备"
    DOCUMENT = "document", "提交证明材料"
    DECLARATION = "declaration", "行程申报"


# Kinds that are tests: the coverage and the key-population ledger (Z-3.2) count these.
TEST_KINDS = frozenset({DutyKind.NUCLEIC_ACID, DutyKind.ANTIGEN})


class DutyState(models.TextChoices):
    """`due` until its window closes (whether or not it is open yet), then `overdue`; `done`
    when evidence inside the window satisfied it; `cancelled` when its plan was replaced."""

    DUE = "due", "待完成"
    OVERDUE = "overdue", "已逾期"
    DONE = "done", "已完成"
    CANCELLED = "cancelled", "已取消"


OPEN_STATES = (DutyState.DUE, DutyState.OVERDUE)

# The source of the duties the routine test schedules generate (Z-5.2b, J-1.5b); plans
# name their own record, e.g. "mobility.return:12".
ROUTINE = "routine"
