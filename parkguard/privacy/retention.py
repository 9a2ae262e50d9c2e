"""The kinds of personal record that are kept only for a while, and how each is found.

Each kind names its model, the time that ages it, the path to its park, and (for the
scheduled purge) which rows are finished with: an open alert, a pending result or a zone
move waiting for approval is never aged out. The number of days comes from settings
(`PARKGUARD_RETAIN_<KIND>_DAYS`); the audit log is not a kind here and is never purged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db.models import Model, Q


@dataclass(frozen=True)
class RecordKind:
    key: str
    label: str
    model: str  # "app_label.ModelName"
    at: str  # the field that ages a row
    park: str  # the path to the row's park (a Jurisdiction)
    finished: Q = field(default_factory=Q)  # rows the scheduled purge may take
    # Models kept by django-simple-history whose history rows go with the purged rows,
    # as (history of model, field naming the purged row's id).
    history: tuple[tuple[str, str], ...] = ()

    def model_class(self) -> type[Model]:
        return apps.get_model(self.model)

    @property
    def days(self) -> int:
        return int(settings.RETENTION_DAYS[self.key])


KINDS: dict[str, RecordKind] = {
    k.key: k
    for k in (
        RecordKind(
            "declarations",
            "每日健康申报",
            "health.Declaration",
            "submitted_at",
            "person__enterprise__jurisdiction",
        ),
        RecordKind(
            "temperatures",
            "体温记录",
            "health.TemperatureReading",
            "taken_at",
            "person__enterprise__jurisdiction",
        ),
        RecordKind(
            "alerts",
            "健康异常预警",
            "health.Alert",
            "opened_at",
            "person__enterprise__jurisdiction",
            Q(closed_at__isnull=False),
        ),
        RecordKind(
            "samples",
            "核酸与抗原检测（含抗原照片）",
            "sampling.Sample",
            "taken_at",
            "enterprise__jurisdiction",
            ~Q(result="pending"),
        ),
        RecordKind(
            "trips",
            "出行报备（含目的地）",
            "mobility.Trip",
            "filed_at",
            "enterprise__jurisdiction",
            history=(("mobility.Trip", "id"), ("mobility.TripStop", "trip_id")),
        ),
        RecordKind(
            "returns",
            "返岗申报、管控计划与隔离记录",
            "mobility.ReturnDeclaration",
            "declared_at",
            "enterprise__jurisdiction",
            Q(closed_at__isnull=False),
        ),
        RecordKind(
            "visitors",
            "来访人员登记",
            "mobility.Visitor",
            "created_at",
            "enterprise__jurisdiction",
        ),
        RecordKind("access_log", "出入记录", "gate.AccessCheck", "at", "park"),
        RecordKind(
            "zone_moves",
            "分区调整记录",
            "response.ZoneMove",
            "requested_at",
            "person__enterprise__jurisdiction",
            ~Q(state="pending"),
        ),
    )
}
# What an end-of-emergency purge may take: all of the health and movement data above.
EMERGENCY_KINDS = list(KINDS)
KIND_CHOICES = [(k.key, k.label) for k in KINDS.values()]
