"""Enumerations of zones and incidents (Z-5.1, Z-5.1b, Z-4.2)."""

from __future__ import annotations

from django.db import models

from parkguard.mobility.choices import IsolationKind


class BlockType(models.TextChoices):
    """Z-5.1b: the five kinds of block inside an enterprise."""

    HANDOVER = "handover", "交接区块"
    PRODUCTION = "production", "生产经营区块"
    LIVING = "living", "生活区块"
    PUBLIC_HEALTH = "public_health", "公共卫生区块"
    PUBLIC_SPACE = "public_space", "公共空间"


class JunctionKind(models.TextChoices):
    """Z-5.1b / L-4.4: how two blocks meet, so that people and goods cross only where planned."""

    BUFFER = "buffer", "缓冲区"
    PASSAGE = "passage", "通道"
    ONE_WAY = "one_way", "单向通道"
    DOOR = "door", "门禁"


class JunctionDirection(models.TextChoices):
    """Which way people may cross a junction (Z-5.1b): both ways, or only from its start area
    to its end area (a hand-over block's clean-to-dirty flow). Tracing follows it."""

    BOTH = "both", "双向"
    FORWARD = "forward", "单向（起点→终点）"


class ZoneColour(models.TextChoices):
    """Z-5.1: least to most severe, in this order."""

    GREEN = "green", "绿区"
    BLUE = "blue", "蓝区"
    ORANGE = "orange", "橙区"
    RED = "red", "红区"


SEVERITY = [c.value for c in ZoneColour]
# A move into these opens a status hold: the gate refuses entry at once.
HELD_COLOURS = {ZoneColour.ORANGE.value, ZoneColour.RED.value}


class Evidence(models.TextChoices):
    """What moves a person into a zone by evidence; the pack says which colour."""

    SYMPTOM = "symptom", "可疑症状"
    FEVER = "fever", "体温异常"
    POSITIVE = "positive", "检测阳性"
    CLOSE_CONTACT = "close_contact", "确认密接"
    SECONDARY_CONTACT = "secondary_contact", "确认次密接"
    # Z-5.1 blue: a returnee in an observation phase (a `mobility.IsolationRecord`), pack v4.
    HOME_MONITORING = "home_monitoring", "居家健康监测"
    ENTERPRISE_OBSERVATION = "ent_observation", "企业隔离观察点观察"


# The mobility phase kinds that put a returnee under observation (Z-5.1 blue), and the
# evidence each becomes; the pack's `observation_phase` fact takes the phase kind itself.
OBSERVATION_EVIDENCE = {
    IsolationKind.HOME_MONITORING.value: Evidence.HOME_MONITORING.value,
    IsolationKind.ENTERPRISE.value: Evidence.ENTERPRISE_OBSERVATION.value,
}
# The source of a move made by an observation record: "mobility.isolation:<pk>".
OBSERVATION_SOURCE = "mobility.isolation:"


class MoveState(models.TextChoices):
    PENDING = "pending", "待复核"
    APPLIED = "applied", "已生效"
    REFUSED = "refused", "已驳回"


class IncidentState(models.TextChoices):
    OPEN = "open", "处置中"
    CLOSED = "closed", "已结束"


class TimelineKind(models.TextChoices):
    OPENED = "opened", "发现并登记"
    REPORTED = "reported", "第一时间报告"
    ISOLATED = "isolated", "第一时间隔离"
    TRANSFER = "transfer", "报请转运"
    TASK_DONE = "task_done", "联动任务完成"
    ZONE = "zone", "分区变动"
    TRACED = "traced", "密接排查"
    CLOSED = "closed", "处置结束"


class ContactState(models.TextChoices):
    PROPOSED = "proposed", "待核实"
    CONFIRMED = "confirmed", "已确认密接"
    DISMISSED = "dismissed", "已排除"


class ContactDegree(models.TextChoices):
    """What the pack counts a candidate as (Z-5.1: both go to orange when confirmed)."""

    CLOSE = "close", "密接"
    SECONDARY = "secondary", "次密接"
