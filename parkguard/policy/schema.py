"""The rule-pack format: typed, frozen pydantic models that refuse a bad shape.

A pack file is one notice (one version of it). Its top level holds the notice's identity
(document number, issuer, effective dates, the pack it extends, the day-numbering
convention), the parameters it leaves to the park, and its rules. A rule cites its
requirement ID and the clause of the notice, selects people or events with a `when`
condition, and yields measures. Every number of the notice lives here, in the YAML,
either as a literal or as ``{param: name}`` naming a declared parameter.

docs/rule-packs.md is the reader's guide to this format.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from parkguard.policy import errors as E

# --- small vocabularies -----------------------------------------------------------------
DayNumbering = Literal["arrival_day_is_1", "arrival_day_is_0"]
RiskLevel = Literal["low", "medium", "high"]
# Where on the map a risk is judged: the place itself, or the county / city / province it lies
# in ("from a province that has medium- or high-risk areas").
RiskScope = Literal["place", "county", "city", "province"]
# What a measure's days and hours are counted from. ``arrival`` is the default.
Anchor = Literal["arrival", "work_start", "hire_date", "symptom_onset", "first_positive", "order"]
FactType = Literal["choice", "choices", "boolean", "integer", "date", "text"]
FactSubject = Literal["person", "enterprise"]
TestKind = Literal["nat", "antigen"]
# How far a person (or a destination) is from the pack's jurisdiction, nearest first.
Origin = Literal["local", "out_of_county", "out_of_prefecture", "out_of_province", "abroad"]
PersonKind = Literal["employee", "visitor", "truck_crew"]
StaffCategory = Literal[
    "regular", "intern", "client_dispatched", "labour_dispatch", "outsourced", "temporary"
]
EventKind = Literal["business_event", "gathering", "private_gathering", "trip", "resumption"]
PhaseKind = Literal[
    "centralised_isolation",
    "home_isolation",
    "home_health_monitoring",
    "enterprise_observation",
    "isolation_point",
]
CheckKind = Literal[
    "scan_code",
    "mask",
    "health_code",
    "three_codes",
    "temperature",
    "register",
    "state_reason",
    "disinfect_person",
    "disinfect_vehicle",
    "disinfect_goods",
    "negative_test",
    "other",
]
ParamType = Literal["integer", "number", "boolean", "text", "time"]
ChoiceType = Literal["integer", "option"]
ORIGIN_ORDER: tuple[str, ...] = (
    "local",
    "out_of_county",
    "out_of_prefecture",
    "out_of_province",
    "abroad",
)
RISK_ORDER: tuple[str, ...] = ("low", "medium", "high")
FACT_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")

PACK_ID_RE = re.compile(r"^[a-z0-9][a-z0-9.\-]*$")
RULE_ID_RE = re.compile(r"^[a-z0-9][a-z0-9.\-_]*$")
REQUIREMENT_RE = re.compile(r"^([A-Z][A-Z0-9]*)-\d+(?:\.\d+)*[a-z]?$")
REQUIREMENT_KEY_RE = re.compile(r"^[A-Z][A-Z0-9]*$")
PARAM_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
TIME_RE = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")


def fail(message: str, detail: str = "") -> PydanticCustomError:
    """A validation error whose message is one of the constants in `errors`."""
    return PydanticCustomError("parkguard", "{message}", {"message": message, "detail": detail})


def _type_name(value: object) -> str:
    names = {bool: "布尔值", int: "整数", float: "小数", str: "文本", list: "列表", dict: "映射"}
    return names.get(type(value), type(value).__name__)


# --- parameter references ---------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ParamRef:
    """``{param: name}`` in YAML: the value is supplied by the park (or the default)."""

    name: str


@dataclass(frozen=True, slots=True)
class ChoiceRef:
    """``{choice: name}`` in YAML: the value is chosen per case by an officer, within the
    bounds the pack declares under ``choices`` (default: the declared default)."""

    name: str


def _param_ref(value: object) -> ParamRef | ChoiceRef | None:
    if isinstance(value, ParamRef | ChoiceRef):
        return value
    if isinstance(value, dict) and set(value) == {"param"}:
        name = value["param"]
        if isinstance(name, str) and PARAM_NAME_RE.match(name):
            return ParamRef(name)
        raise fail(E.ERR_BAD_ID, f"参数名 {name!r}")
    if isinstance(value, dict) and set(value) == {"choice"}:
        name = value["choice"]
        if isinstance(name, str) and PARAM_NAME_RE.match(name):
            return ChoiceRef(name)
        raise fail(E.ERR_BAD_ID, f"选择项名 {name!r}")
    return None


def _only_param(value: object) -> ParamRef | None:
    ref = _param_ref(value)
    if isinstance(ref, ChoiceRef):
        raise fail(E.ERR_CHOICE_NOT_HERE, ref.name)
    return ref


def _dump_ref(value: object) -> object:
    if isinstance(value, ParamRef):
        return {"param": value.name}
    if isinstance(value, ChoiceRef):
        return {"choice": value.name}
    return value


def _count(value: object) -> int | ParamRef | ChoiceRef:
    ref = _param_ref(value)
    if ref is not None:
        return ref
    if isinstance(value, bool) or not isinstance(value, int):
        raise fail(E.ERR_WRONG_TYPE, f"应为整数或 {{param: 参数名}}，实际为{_type_name(value)}")
    if value < 0:
        raise fail(E.ERR_NEGATIVE_NUMBER, str(value))
    return value


def _positive_count(value: object) -> int | ParamRef | ChoiceRef:
    result = _count(value)
    if result == 0:
        raise fail(E.ERR_ZERO_NUMBER)
    return result


def _share(value: object) -> float | ParamRef:
    ref = _only_param(value)
    if ref is not None:
        return ref
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail(E.ERR_WRONG_TYPE, f"应为 0 到 1 之间的小数，实际为{_type_name(value)}")
    if not 0 < value <= 1:
        raise fail(E.ERR_SHARE_RANGE, str(value))
    return float(value)


def _celsius(value: object) -> float | ParamRef:
    ref = _only_param(value)
    if ref is not None:
        return ref
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail(
            E.ERR_WRONG_TYPE, f"应为摄氏度数值或 {{param: 参数名}}，实际为{_type_name(value)}"
        )
    return float(value)


def parse_time(value: object) -> time:
    if isinstance(value, time):
        return value
    if not isinstance(value, str):
        raise fail(E.ERR_TIME_FORMAT, f"实际为{_type_name(value)} {value!r}")
    match = TIME_RE.match(value)
    if not match:
        raise fail(E.ERR_TIME_FORMAT, repr(value))
    return time(int(match.group(1)), int(match.group(2)))


def _time_or_param(value: object) -> time | ParamRef:
    ref = _only_param(value)
    return ref if ref is not None else parse_time(value)


def _date(value: object) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise fail(E.ERR_WRONG_TYPE, f"应为日期 YYYY-MM-DD，实际为 {value!r}")


def _datetime(value: object) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    raise fail(E.ERR_WRONG_TYPE, f"应为日期时间 YYYY-MM-DDTHH:MM:SS，实际为 {value!r}")


_ser = PlainSerializer(_dump_ref, return_type=Any)
Count = Annotated[int | ParamRef | ChoiceRef, PlainValidator(_count), _ser]
PositiveCount = Annotated[int | ParamRef | ChoiceRef, PlainValidator(_positive_count), _ser]
Share = Annotated[float | ParamRef, PlainValidator(_share), _ser]
Celsius = Annotated[float | ParamRef, PlainValidator(_celsius), _ser]
TimeOrParam = Annotated[time | ParamRef, PlainValidator(_time_or_param), _ser]
Date = Annotated[date, PlainValidator(_date)]
DateTime = Annotated[datetime, PlainValidator(_datetime)]
Text = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1)]
Flag = Annotated[bool, Field(strict=True)]
DayNumber = Annotated[int, Field(strict=True)]


def _pack_id(value: object) -> str:
    if not isinstance(value, str) or not PACK_ID_RE.match(value):
        raise fail(E.ERR_BAD_ID, repr(value))
    return value


def _rule_id(value: object) -> str:
    if not isinstance(value, str) or not RULE_ID_RE.match(value):
        raise fail(E.ERR_BAD_ID, repr(value))
    return value


def _requirement(value: object) -> str:
    if not isinstance(value, str) or not REQUIREMENT_RE.match(value):
        raise fail(E.ERR_REQUIREMENT_FORMAT, repr(value))
    return value


def _requirement_key(value: object) -> str:
    if not isinstance(value, str) or not REQUIREMENT_KEY_RE.match(value):
        raise fail(E.ERR_REQUIREMENT_KEY_FORMAT, repr(value))
    return value


def _param_name(value: object) -> str:
    if not isinstance(value, str) or not PARAM_NAME_RE.match(value):
        raise fail(E.ERR_BAD_ID, f"参数名 {value!r}")
    return value


PackId = Annotated[str, PlainValidator(_pack_id)]
RuleId = Annotated[str, PlainValidator(_rule_id)]
RequirementId = Annotated[str, PlainValidator(_requirement)]
RequirementKey = Annotated[str, PlainValidator(_requirement_key)]
ParamName = Annotated[str, PlainValidator(_param_name)]


def _ascending(days: tuple[int, ...]) -> None:
    if any(b <= a for a, b in itertools.pairwise(days)):
        raise fail(E.ERR_DAYS_NOT_ASCENDING, ", ".join(str(d) for d in days))


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- parameters -------------------------------------------------------------------------
class ParameterSpec(Model):
    """A value the notice leaves to the park ("按照属地要求"): declared here, set per park."""

    type: ParamType
    default: int | float | bool | str | None = None
    unit: Text | None = None
    minimum: float | None = None
    maximum: float | None = None
    description: Text
    clause: Text
    # The requirement the value serves (J-2.4's refusals before a report upward), for citations.
    requirement: RequirementId | None = None

    @field_validator("default")
    @classmethod
    def _default_matches_type(cls, value: object, info: ValidationInfo) -> object:
        kind = info.data.get("type")
        if value is None or kind is None:
            return value
        if not param_value_fits(kind, value):
            raise fail(E.ERR_PARAM_DEFAULT_TYPE, f"声明为 {kind}，默认值为 {value!r}")
        return value


def param_value_fits(kind: str, value: object) -> bool:
    """Whether a park-supplied or default value has the declared parameter type."""
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "time":
        return isinstance(value, str) and TIME_RE.match(value) is not None
    return isinstance(value, str)


# --- conditions -------------------------------------------------------------------------
class StayCondition(Model):
    """Stayed in (or passed through) a place of the given risk within N days before.

    Without ``within_days``, any place in the person's itinerary (``stays``) counts.
    ``level`` says where the risk is judged: the place itself, or the county, city or
    province it lies in ("from a province that has medium- or high-risk areas"). Risk
    words are the pack's own (``risk_levels``; default low / medium / high).
    """

    risk_in: tuple[Text, ...] | None = Field(None, min_length=1)
    risk_at_least: Text | None = None
    within_days: Count | None = None
    level: RiskScope = "place"
    include_transit: Flag = True

    @model_validator(mode="after")
    def _one_risk_test(self) -> StayCondition:
        if (self.risk_in is None) == (self.risk_at_least is None):
            raise fail(E.ERR_RISK_TEST_EXACTLY_ONE)
        return self


class FactTest(Model):
    """A test on a fact the pack declares: ``equals``, ``in``, a range, or a date window.

    In YAML a bare value means ``equals`` and a list means ``in``.
    """

    equals: bool | int | str | None = None
    in_: tuple[str, ...] | None = Field(None, alias="in", min_length=1)
    at_least: Annotated[int, Field(strict=True)] | None = None
    at_most: Annotated[int, Field(strict=True)] | None = None
    within_days: Count | None = None  # a date fact no more than N days before the moment
    present: Flag | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: object) -> object:
        if isinstance(value, list | tuple):
            return {"in": list(value)}
        if isinstance(value, bool | int | str):
            return {"equals": value}
        return value

    @model_validator(mode="after")
    def _one_test(self) -> FactTest:
        given = [
            self.equals is not None,
            self.in_ is not None,
            self.at_least is not None or self.at_most is not None,
            self.within_days is not None,
            self.present is not None,
        ]
        if sum(given) != 1:
            raise fail(E.ERR_FACT_TEST_EXACTLY_ONE)
        return self


def _fact_name(value: object) -> str:
    if not isinstance(value, str) or not FACT_NAME_RE.match(value):
        raise fail(E.ERR_BAD_ID, f"事实名 {value!r}")
    return value


FactName = Annotated[str, PlainValidator(_fact_name)]


class WithinMixin(Model):
    within_hours: Count | None = None
    within_days: Count | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> WithinMixin:
        if (self.within_hours is None) == (self.within_days is None):
            raise fail(E.ERR_WITHIN_EXACTLY_ONE)
        return self


class CertificateCondition(WithinMixin):
    """Holds a negative test certificate sampled within the window before the moment."""


class EnterpriseCondition(Model):
    headcount_at_least: Count | None = None
    # The control status (risk) of the enterprise's own area, in the pack's risk words.
    area_risk_in: tuple[Text, ...] | None = Field(None, min_length=1)
    area_risk_at_least: Text | None = None
    # At least the size the pack declares under ``enterprise_sizes`` (e.g. ``large``).
    size: ParamName | None = None
    frequent_movement: Flag | None = None
    has_observation_point: Flag | None = None
    essential: Flag | None = None


class EventCondition(Model):
    kind_in: tuple[EventKind, ...] | None = None
    headcount_at_least: Count | None = None  # 以上: inclusive
    headcount_at_most: Count | None = None  # 以内、以下: inclusive
    headcount_over: Count | None = None  # 超过: exclusive
    participants_origin_in: tuple[Origin, ...] | None = None
    participants_origin_at_least: Origin | None = None
    participants_origin_at_most: Origin | None = None
    destination_at_least: Origin | None = None
    destination_risk_in: tuple[Text, ...] | None = None
    starts_before: DateTime | None = None
    online: Flag | None = None

    @model_validator(mode="after")
    def _headcount_range(self) -> EventCondition:
        low, high = self.headcount_at_least, self.headcount_at_most
        if isinstance(low, int) and isinstance(high, int) and low > high:
            raise fail(E.ERR_HEADCOUNT_RANGE, f"{low} > {high}")
        return self


class Condition(Model):
    """Facts a rule selects on. All given fields must hold (AND); use any_of for OR."""

    person_kind_in: tuple[PersonKind, ...] | None = None
    staff_category_in: tuple[StaffCategory, ...] | None = None
    returnee: Flag | None = None
    origin_in: tuple[Origin, ...] | None = None
    origin_at_least: Origin | None = None
    origin_at_most: Origin | None = None
    stayed: StayCondition | None = None
    key_population_in: tuple[Text, ...] | None = None
    roles_in: tuple[Text, ...] | None = None
    holds_certificate: CertificateCondition | None = None
    symptoms_any: tuple[Text, ...] | None = None
    temperature_abnormal: Flag | None = None
    enterprise: EnterpriseCondition | None = None
    event: EventCondition | None = None
    # Facts the pack declares under ``facts`` (post group, health-code colour, industry...).
    person_facts: dict[FactName, FactTest] | None = None
    enterprise_facts: dict[FactName, FactTest] | None = None
    all_of: tuple[Condition, ...] | None = None
    any_of: tuple[Condition, ...] | None = None
    not_: Condition | None = Field(default=None, alias="not")


# --- measures ---------------------------------------------------------------------------
class MeasureBase(Model):
    title: Text | None = None
    note: Text | None = None


class PreDepartureTest(MeasureBase):
    """A test within N hours before leaving the risk area (or the country)."""

    type: Literal["pre_departure_test"]
    within_hours: Count
    test: Text = "核酸检测"


class Anchored(Model):
    """Days and hours are counted from ``anchor`` (default: the arrival)."""

    anchor: Anchor = "arrival"


class Notify(Anchored, MeasureBase):
    """A declaration, filing or report, N hours before departure/arrival or after arrival.

    ``promptly: true`` is the notice's "及时": the report is due within the pack's
    ``promptly_hours`` after the anchor (never "at the instant of arrival").
    """

    type: Literal["notify"]
    promptly: Flag = False
    who: Literal["person", "enterprise", "crew"] = "person"
    action: Text
    to: tuple[Text, ...] = ()
    timing: Literal["before_departure", "before_arrival", "after_arrival"]
    hours: Count = 0
    channel: tuple[Text, ...] = ()
    content: tuple[Text, ...] = ()


class CertificateMeasure(WithinMixin, Anchored, MeasureBase):
    """Bring a negative certificate sampled within the window before arrival (or before the
    anchor: ``anchor: work_start`` is "within N hours before starting work")."""

    type: Literal["certificate"]
    test_kind: TestKind = "nat"
    test: Text = "核酸检测阴性证明"
    blocks_entry: Flag = True


class ArrivalTests(Anchored, MeasureBase):
    """Tests on days counted from arrival (a landing test, then days 2 and 3, ...).

    A ``title`` names each test day: write ``{day}`` where the day goes, else the day is
    appended ("……（第2天）").
    """

    type: Literal["arrival_tests"]
    days: tuple[DayNumber, ...] = Field(min_length=1)
    first_within_hours: Count | None = None
    blocks_entry: Literal["none", "sampled", "negative"] = "none"
    test: Text = "核酸检测"

    @field_validator("days")
    @classmethod
    def _days(cls, days: tuple[int, ...]) -> tuple[int, ...]:
        _ascending(days)
        if days[0] < 0:
            raise fail(E.ERR_TEST_DAY_BEFORE_ARRIVAL, str(days[0]))
        return days


class Evidence(Model):
    """What ends a phase: a negative test from day N of the phase, N symptom-free days.

    All given parts must hold; the phase ends at the moment the last of them holds.
    """

    negative_test_from_day: Annotated[int, Field(strict=True, ge=1)] | None = None
    test_kind: TestKind = "nat"
    symptom_free_days: Count | None = None

    @model_validator(mode="after")
    def _something(self) -> Evidence:
        if self.negative_test_from_day is None and self.symptom_free_days is None:
            raise fail(E.ERR_EVIDENCE_EMPTY)
        return self


class Phase(Model):
    """One stage of isolation or monitoring, ``days`` long, tested on ``test_days``.

    ``end_early`` ends it before its last day once the evidence is recorded; ``until``
    (instead of ``days``) makes its end a condition rather than a count.
    """

    kind: PhaseKind
    label: Text | None = None
    days: PositiveCount | None = None
    test_days: tuple[DayNumber, ...] = ()
    blocks_entry: Flag = True
    place: Text | None = None
    end_early: Evidence | None = None
    until: Evidence | None = None

    @field_validator("test_days")
    @classmethod
    def _test_days(cls, test_days: tuple[int, ...], info: ValidationInfo) -> tuple[int, ...]:
        _ascending(test_days)
        days = info.data.get("days")
        for day in test_days:
            if day < 1 or (isinstance(days, int) and day > days):
                span = f"1..{days}" if isinstance(days, int) else "1..N"
                raise fail(E.ERR_TEST_DAY_OUTSIDE_PHASE, f"第 {day} 天不在 {span} 内")
        return test_days

    @model_validator(mode="after")
    def _end(self) -> Phase:
        if self.days is None and self.until is None:
            raise fail(E.ERR_PHASE_NEEDS_END)
        if self.days is not None and self.until is not None:
            raise fail(E.ERR_PHASE_DAYS_AND_UNTIL)
        if self.until is not None and self.end_early is not None:
            raise fail(E.ERR_PHASE_DAYS_AND_UNTIL, "until 与 end_early 不能同时填写")
        return self


class Phases(Anchored, MeasureBase):
    """Phases in sequence; the first starts on arrival, each next one the day after.

    Only the last phase may end early or on a condition (the ones after it would have no
    start date otherwise).
    """

    type: Literal["phases"]
    phases: tuple[Phase, ...] = Field(min_length=1)
    entry_requires_negative: Flag = True

    @field_validator("phases")
    @classmethod
    def _conditional_last(cls, phases: tuple[Phase, ...]) -> tuple[Phase, ...]:
        for k, phase in enumerate(phases[:-1]):
            if phase.until is not None or phase.end_early is not None:
                raise fail(E.ERR_CONDITIONAL_PHASE_NOT_LAST, f"phases[{k}]")
        return phases


class TestWindow(Anchored, MeasureBase):
    """One test on any day between ``from_day`` and ``to_day`` (inclusive) of the anchor."""

    type: Literal["test_window"]
    from_day: DayNumber
    to_day: DayNumber
    test: Text = "核酸检测"
    test_kind: TestKind = "nat"
    blocks_entry: Literal["none", "sampled", "negative"] = "none"

    @model_validator(mode="after")
    def _order(self) -> TestWindow:
        if self.to_day < self.from_day:
            raise fail(E.ERR_WINDOW_ORDER, f"第 {self.from_day} 天 → 第 {self.to_day} 天")
        if self.from_day < 0:
            raise fail(E.ERR_TEST_DAY_BEFORE_ARRIVAL, str(self.from_day))
        return self


class Document(Anchored, MeasureBase):
    """A document (application, proof of return time, commitment letter...) that blocks
    entry until it is submitted, or until it is approved."""

    type: Literal["document"]
    name: Text
    needs: Literal["submitted", "approved"] = "submitted"
    to: tuple[Text, ...] = ()
    blocks_entry: Flag = True
    due_hours: Count | None = None  # due N hours after the anchor; without it: by the anchor


ArrivalMeasure = Annotated[
    PreDepartureTest | Notify | CertificateMeasure | ArrivalTests | TestWindow | Document | Phases,
    Field(discriminator="type"),
]


class AnyOfOption(Model):
    label: Text
    measures: tuple[ArrivalMeasure, ...] = Field(min_length=1)


class AnyOf(MeasureBase):
    """Alternatives: fulfilling every measure of any one option is enough.

    When an option holds phases, the option must be chosen for each case (the phases
    decide the dates): ``choice`` names an ``option`` choice declared under ``choices``.
    """

    type: Literal["any_of"]
    options: tuple[AnyOfOption, ...]
    choice: ParamName | None = None

    @field_validator("options")
    @classmethod
    def _two_options(cls, options: tuple[AnyOfOption, ...]) -> tuple[AnyOfOption, ...]:
        if len(options) < 2:
            raise fail(E.ERR_ANY_OF_OPTIONS, f"现有 {len(options)} 个")
        return options


class Prohibition(MeasureBase):
    """Something not allowed, unless a condition holds."""

    type: Literal["prohibition"]
    action: Literal["no_entry", "no_return", "no_travel", "no_event"]
    text: Text
    unless: Condition | None = None


class Instruction(MeasureBase):
    """A measure without a number (kept so that `explain` is a faithful summary)."""

    type: Literal["instruction"]
    text: Text
    context: Literal["arrival", "gate", "event", "daily", "incident", "lockdown", "general"] = (
        "general"
    )


class ClosedLoop(MeasureBase):
    """People kept in a closed loop in a named area (a buffer zone, "两点一线")."""

    type: Literal["closed_loop"]
    area: Text
    covers: tuple[Text, ...] = ()
    text: Text | None = None


class Check(Model):
    kind: CheckKind
    label: Text | None = None
    within_hours: Count | None = None


class EntryChecks(MeasureBase):
    """Checks at the named places (``plant_gate``, ``office_entrance``, ...)."""

    type: Literal["entry_checks"]
    places: tuple[Text, ...] = Field(min_length=1)
    checks: tuple[Check, ...] = Field(min_length=1)
    refuse_text: Text | None = None


class RoutineTesting(MeasureBase):
    """A group is tested every N days; optionally only a share of it each time."""

    type: Literal["routine_testing"]
    group: Text
    interval_days: PositiveCount
    sample_share: Share | None = None
    test: Text = "核酸检测"
    # Sampling drawn in each org unit / post separately, so that every stratum is tested.
    stratify_by: tuple[Literal["org_unit", "post"], ...] = ()
    # "每N天全员轮检一遍": the engine checks that interval × ⌈1/share⌉ reaches it.
    full_coverage_days: PositiveCount | None = None


class TemperatureChecks(MeasureBase):
    type: Literal["temperature_checks"]
    times_per_day: PositiveCount
    places: tuple[Text, ...] = Field(min_length=1)
    slots: tuple[Text, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _slots(self) -> TemperatureChecks:
        if isinstance(self.times_per_day, int) and len(self.slots) != self.times_per_day:
            raise fail(E.ERR_SLOTS_COUNT, f"{len(self.slots)} ≠ {self.times_per_day}")
        return self


class Disinfection(MeasureBase):
    """Places disinfected every day in each slot (before work, after work...)."""

    type: Literal["disinfection"]
    places: tuple[Text, ...] = Field(min_length=1)
    slots: tuple[Text, ...] = Field(min_length=1)
    repeat_in: tuple[Text, ...] = ()


class Approval(MeasureBase):
    """Who approves, how many days ahead, who is informed; higher rank wins on overlap."""

    type: Literal["approval"]
    approver: Text
    lead_days: Count = 0
    filing_with: tuple[Text, ...] = ()
    rank: Annotated[int, Field(strict=True)] = 0


class PreventionPlan(MeasureBase):
    type: Literal["prevention_plan"]
    name: Text
    responsible: Text | None = None
    contents: tuple[Text, ...] = ()


class Limit(MeasureBase):
    type: Literal["limit"]
    max_participants: Count | None = None
    min_distance_m: Count | None = None


class Step(Model):
    action: Text
    who: Text | None = None
    within_minutes: Count | None = None
    immediately: Flag = False
    daily_by: TimeOrParam | None = None
    daily_from: TimeOrParam | None = None

    @model_validator(mode="after")
    def _one_timing(self) -> Step:
        given = [self.within_minutes is not None, self.immediately, self.daily_by is not None]
        if sum(given) != 1:
            raise fail(E.ERR_STEP_TIMING)
        return self


class Deadlines(MeasureBase):
    """Steps due a set time after a trigger (a lockdown order, an incident) or daily."""

    type: Literal["deadlines"]
    trigger: Literal["lockdown_order", "incident", "daily"]
    steps: tuple[Step, ...] = Field(min_length=1)


class SymptomWatch(MeasureBase):
    """Symptoms to watch for and report. ``fever_from_c``: the temperature (°C) at or above
    which a reading counts as 发热; notices name the symptom without a number, so packs give
    it as a park parameter (with the usual value as its default)."""

    type: Literal["symptom_watch"]
    symptoms: tuple[Text, ...] = Field(min_length=1)
    action: Text
    fever_from_c: Celsius | None = None


class ZoneDef(Model):
    colour: Literal["green", "blue", "orange", "red"]
    meaning: Text
    assign_when: Condition | None = None


class Zones(MeasureBase):
    """Zone colours inside an enterprise; the first zone whose condition holds applies."""

    type: Literal["zones"]
    zones: tuple[ZoneDef, ...] = Field(min_length=1)


Measure = Annotated[
    PreDepartureTest
    | Notify
    | CertificateMeasure
    | ArrivalTests
    | TestWindow
    | Document
    | Phases
    | AnyOf
    | Prohibition
    | Instruction
    | ClosedLoop
    | EntryChecks
    | RoutineTesting
    | TemperatureChecks
    | Disinfection
    | Approval
    | PreventionPlan
    | Limit
    | Deadlines
    | SymptomWatch
    | Zones,
    Field(discriminator="type"),
]
MEASURE_TYPES: frozenset[str] = frozenset(
    {
        "pre_departure_test",
        "notify",
        "certificate",
        "arrival_tests",
        "test_window",
        "document",
        "phases",
        "any_of",
        "prohibition",
        "instruction",
        "closed_loop",
        "entry_checks",
        "routine_testing",
        "temperature_checks",
        "disinfection",
        "approval",
        "prevention_plan",
        "limit",
        "deadlines",
        "symptom_watch",
        "zones",
    }
)


# --- rules and packs --------------------------------------------------------------------
class Rule(Model):
    """One requirement of the notice: cited, selected by `when`, yielding measures."""

    id: RuleId
    requirement: RequirementId
    clause: Text
    title: Text
    description: Text
    group: Text | None = None
    applies_from: Date | None = None
    applies_to: Date | None = None
    when: Condition = Condition()
    measures: tuple[Measure, ...] = Field(min_length=1)
    override: Flag = False

    @field_validator("applies_to")
    @classmethod
    def _window(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("applies_from")
        if value is not None and start is not None and value < start:
            raise fail(E.ERR_DATE_ORDER, f"{start} → {value}")
        return value


class FactSpec(Model):
    """A typed fact a pack declares: rules test it, the API and preview form accept it."""

    subject: FactSubject = "person"
    type: FactType
    label: Text
    values: dict[Text, Text] | None = None  # code → Chinese label (choice / choices)
    description: Text | None = None
    clause: Text | None = None

    @model_validator(mode="after")
    def _values(self) -> FactSpec:
        has_values = self.values is not None
        if self.type in ("choice", "choices") and not self.values:
            raise fail(E.ERR_FACT_VALUES_MISSING, self.type)
        if self.type not in ("choice", "choices") and has_values:
            raise fail(E.ERR_FACT_VALUES_UNEXPECTED, self.type)
        return self


class ChoiceSpec(Model):
    """A per-case choice the notice allows ("可缩短至7天"): an officer picks a value within
    the bounds, with a reason; the plan records and cites it."""

    type: ChoiceType
    default: Annotated[int, Field(strict=True)] | Text
    minimum: Annotated[int, Field(strict=True)] | None = None
    maximum: Annotated[int, Field(strict=True)] | None = None
    description: Text
    clause: Text

    @model_validator(mode="after")
    def _bounds(self) -> ChoiceSpec:
        if self.type == "integer":
            if not isinstance(self.default, int):
                raise fail(E.ERR_PARAM_DEFAULT_TYPE, f"声明为 integer，默认值为 {self.default!r}")
            low, high = self.minimum, self.maximum
            if (low is not None and self.default < low) or (
                high is not None and self.default > high
            ):
                raise fail(E.ERR_CHOICE_DEFAULT_RANGE, f"{self.default} 不在 {low}..{high}")
        elif not isinstance(self.default, str):
            raise fail(E.ERR_PARAM_DEFAULT_TYPE, f"声明为 option，默认值为 {self.default!r}")
        return self


# --- vocabularies a pack declares -------------------------------------------------------
class EnterpriseSize(Model):
    """A size of enterprise the notice asks more of ("200人以上"), named once with its purpose.

    Rules select on it with ``enterprise: {size: <name>}``; the Django layer asks the same
    declaration (`parkguard.policy.vocabulary.enterprise_size`) whether an enterprise is large.
    """

    label: Text
    purpose: Text
    headcount_at_least: PositiveCount
    requirements: tuple[RequirementId, ...] = Field(min_length=1)
    clause: Text


class PostGroup(Model):
    """Posts the notice names as a group ("保安、保洁、食堂杂工等"): a post containing one of
    ``words`` belongs to it."""

    label: Text
    words: tuple[Text, ...] = Field(min_length=1)
    requirement: RequirementId
    clause: Text


class StaffGroup(Model):
    """Staff categories the notice treats together (outsourced staff with their agency)."""

    label: Text
    categories: tuple[StaffCategory, ...] = Field(min_length=1)
    requirement: RequirementId
    clause: Text


class ChecklistItem(Model):
    """One thing an inspector checks on a visit (Z-6, J-2.5), cited like a rule.

    ``kind`` groups the items on the phone checklist (the J-2.5 spot-check kinds: travel,
    returnees, visitors, business events, entry control, key-post rotation, ...).
    """

    id: RuleId
    kind: Text
    text: Text
    requirement: RequirementId
    clause: Text


class ReadinessCriterion(Model):
    """One point of the epidemic-free factory score (无疫工厂, J-2.5), cited like a rule.

    ``evidence`` names what the platform holds that shows it (the Django layer measures it):
    an enterprise task team, a named officer, a park cadre, a completed inspection, no
    overdue rectification, no report upward.
    """

    id: RuleId
    evidence: Literal[
        "task_team",
        "officer",
        "cadre",
        "inspected",
        "no_overdue_rectification",
        "not_reported",
        "isolation_area",
        "observation_point",
        "plan_approved",
        "drill_recent",
        "supplies_cover",
        "test_coverage",
        "buffer_zone",
    ]
    text: Text
    requirement: RequirementId
    clause: Text


class PlanSection(Model):
    """One section a prevention plan must have (Z-4.1): the park plan (一园一策) or an
    enterprise's plan (一企一策), cited like a rule; a plan missing one is refused."""

    id: RuleId
    plan: Literal["park", "enterprise"]
    title: Text
    hint: Text | None = None
    requirement: RequirementId
    clause: Text


class ExtendsRef(Model):
    pack: PackId
    version: Annotated[int, Field(strict=True, ge=1)]


class PackSpec(Model):
    """One pack file: one version of one notice."""

    id: PackId
    version: Annotated[int, Field(strict=True, ge=1)]
    status: Literal["draft", "published"] = "published"
    title: Text
    document_number: Text
    issuer: Text
    jurisdiction: Text
    issued_on: Date | None = None
    effective_from: Date
    effective_to: Date | None = None
    requirement_key: RequirementKey
    extends: ExtendsRef | None = None
    day_numbering: DayNumbering
    source: Text | None = None
    notes: tuple[Text, ...] = ()
    parameters: dict[ParamName, ParameterSpec] = {}
    # The pack's risk words, least to most severe (default: low, medium, high).
    risk_levels: tuple[Text, ...] | None = Field(None, min_length=2)
    facts: dict[FactName, FactSpec] = {}
    choices: dict[ParamName, ChoiceSpec] = {}
    # What "及时" (promptly) means in this pack: hours after the anchor.
    promptly_hours: Count | None = None
    enterprise_sizes: dict[ParamName, EnterpriseSize] = {}
    post_groups: dict[ParamName, PostGroup] = {}
    staff_groups: dict[ParamName, StaffGroup] = {}
    # What inspectors check on a visit (Z-6, J-2.5): read by `inspection.checklist`.
    inspection_checklist: tuple[ChecklistItem, ...] = ()
    # What the epidemic-free factory score counts (J-2.5): read by `inspection.readiness`.
    readiness_criteria: tuple[ReadinessCriterion, ...] = ()
    # The sections the park's and enterprises' plans must have (Z-4.1): `inspection.plan_sections`.
    plan_sections: tuple[PlanSection, ...] = ()
    rules: tuple[Rule, ...] = ()

    @field_validator("effective_to")
    @classmethod
    def _effective(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("effective_from")
        if value is not None and start is not None and value < start:
            raise fail(E.ERR_DATE_ORDER, f"{start} → {value}")
        return value
