"""Every route, walked from the URL resolver, by every persona who must not reach enterprise A1.

Outsiders (an officer of another enterprise in the same park, the admin of another park,
anonymous) see nothing of A1 and change nothing. A1's own lower roles (employee, team leader,
gate guard) change nothing an officer or admin may change. "Nothing changed" compares every
column of every row of every table (a digest per row), so an UPDATE shows, not only a row
count. New routes join automatically; a route with a parameter this test does not know fails
until a victim object is named for it below, and every skipped route is named with a reason.

`test_it_fails_when_*` prove the walker can fail: with the read scope or the action check
switched off, it must report something.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db.models import Model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from parkguard.audit.services import audit_record
from parkguard.command.models import Checkpoint, Delivery, LockdownOrder, LockdownPass, Shift
from parkguard.duties.choices import ROUTINE, DutyKind
from parkguard.duties.models import DailyFigure, Duty
from parkguard.gate.models import AccessCheck, Gate, PrintedPass, TemporaryPass
from parkguard.gate.services import gate_create, printed_pass_issue, temporary_pass_issue
from parkguard.health.models import Alert, SickLeave
from parkguard.logistics.models import (
    CrewMember,
    DwellLimit,
    Parcel,
    TransportPass,
    TruckDeclaration,
)
from parkguard.logistics.services import declaration_link_create
from parkguard.mobility.models import (
    IsolationRecord,
    ObservationPoint,
    PlanEvidence,
    ReturnDeclaration,
    ReturnPlan,
    RiskArea,
    Trip,
    TripStop,
    Visitor,
)
from parkguard.notify.choices import Kind, Vendor
from parkguard.notify.models import Message, Webhook
from parkguard.notify.services import notify_send, webhook_create
from parkguard.orgs import access
from parkguard.orgs.access import scope_for_user
from parkguard.orgs.choices import JurisdictionKind, Role
from parkguard.orgs.models import ApiToken, Membership, SupervisionOffice, UserSession
from parkguard.orgs.services import api_token_create, jurisdiction_create
from parkguard.oversight.choices import EventKind, PhotoRole, RectificationStatus
from parkguard.oversight.models import (
    Application,
    ChecklistItem,
    Drill,
    DrillGap,
    Finding,
    GroupMember,
    HotlineCase,
    Inspection,
    Photo,
    Plan,
    Rectification,
    RectificationEvent,
    ResponsibilityGroup,
    Training,
)
from parkguard.people.models import HouseholdMember, PersonImport
from parkguard.policy import DEFAULT_PACKS_DIR
from parkguard.privacy.models import CorrectionRequest, Purge
from parkguard.reporting.models import DailyReport, DailyReportRow
from parkguard.response.models import (
    Area,
    Contact,
    Incident,
    Junction,
    LinkageTask,
    SitePlan,
    ZoneMove,
)
from parkguard.rules.models import UploadedPack
from parkguard.rules.services import pack_upload
from parkguard.sampling.models import AntigenPhoto, Lab, ResultImport, Sample, SamplingRound
from parkguard.status.choices import OverrideAction
from parkguard.status.models import StatusOverride
from parkguard.supplies.choices import MoveKind
from parkguard.supplies.models import DisinfectionArea, DisinfectionTask, StockMove, SupplyItem
from tests.factories import TODAY, World, make_user

# Routes anyone may open (they carry no tenant data).
PUBLIC = {"login", "healthz", "admin:login", "admin:logout", "logout", "account_activate"}
# A carrier declares through a signed link, without an account (J-1.3); the page names no
# enterprise, so the walker still checks that it leaks nothing of A1.
PUBLIC |= {"logistics_declare"}
# Parameters that select nothing of a tenant; the value is fixed.
NEUTRAL = {
    "app_label": "orgs",
    "url": "nowhere/",
    "pack_id": "zhengyang-2022-20",
    "mode": "schedule",
}
# Routes the walker cannot reach with a victim, and why (anything else unreachable fails).
SKIPPED = {
    "admin:view_on_site": "the admin's shortcut to a content type's public URL: no tenant data",
}
# Admin models with no row of A1's to name: their change pages are walked with nothing to find.
NO_VICTIM_MODELS = {"Group", "Permission", "LoginThrottle", "Session", "ContentType"}
DENIED = {401, 403, 404, 405}
# A write may also fail validation first (the body is empty): it still reveals and changes nothing.
WRITE_DENIED = DENIED | {400, 422}
OUTSIDERS = [None, "a2_officer", "park_b_admin"]
# Outsiders that are not A2's officer or park B's admin (issue 18): the liaison of a community
# where none of A1's staff lives, the device token of another enterprise, another park's token.
OTHER_OUTSIDERS = ["liaison_c", "a2_token", "park_b_token"]
OUTSIDERS += OTHER_OUTSIDERS
LOWER_ROLES = ["a1_employee", "a1_leader", "a1_guard"]
# A1's own gate device and park A's device token read little and write nothing an officer may.
LOWER_ROLES += ["a1_token", "park_a_token"]
TOKEN_PERSONAS = {"a2_token", "a1_token", "park_b_token", "park_a_token"}
# Writes that A1's lower roles may make themselves, by route name (their own declaration...).
# A1's employee registers in or out at A1's place code (J-1.5a): their own access-log row;
# A1's gate guard checks trucks in and records their exit (J-1.3): the gate's own writes.
LOWER_ROLE_WRITES: set[str] = {"gate_place", "api:truck_entry", "api:truck_exit"}
# The park's own zones (issue 14 §1, L-4.4) are read, not changed, by the officers of every
# enterprise of the park (where the park's hand-over and isolation points and shared buffers
# are): A2's officer may GET these routes of park A. They still show nothing of A1 (the leak
# check holds: head counts are only of A2's people) and every write is still refused.
PARK_SHARED_READS = {
    "response_park_zones",
    "response_park_site_plan",
    "response_park_site_plan_svg",
    "api:response_park_plan",
    # The GET of /parks/<id>/areas: django-ninja names the shared path after either operation.
    "api:park_area_list",
    "api:park_area_create",
}
PARK_PEERS = {"a2_officer"}
# Bookkeeping that any request may touch: sessions, login throttles, the audit log, last login.
BOOKKEEPING = {
    "sessions.Session",
    "orgs.LoginThrottle",
    "audit.AuditEvent",
    "audit.AuditHead",
    "audit.AuditSubject",
}
VOLATILE = {("auth.User", "last_login"), ("orgs.ApiToken", "last_used_at")}


@dataclass(frozen=True)
class Route:
    name: str
    route: str
    params: list[str]
    admin_model: type[Model] | None


def _walk(patterns: list[Any], prefix: str = "", ns: str = "") -> Iterator[Route]:
    for p in patterns:
        if isinstance(p, URLResolver):
            namespace = f"{ns}{p.namespace}:" if p.namespace else ns
            yield from _walk(p.url_patterns, prefix + str(p.pattern), namespace)
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            params = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route)
            names = [a or b for a, b in params]
            model_admin = getattr(p.callback, "model_admin", None)
            yield Route(
                name=f"{ns}{p.name or route}",
                route=route,
                params=names,
                admin_model=model_admin.model if model_admin else None,
            )


def _victims(world: World) -> dict[str, Any]:
    token, _ = api_token_create(name="甲一门岗闸机", created_by=None, enterprise=world.a1)
    # A1's audit entry, with a reason only A1's officers and park A's admin may read (/audit/).
    event = audit_record(
        actor=None, action="test", at=_now(), enterprise_id=world.a1.pk, reason="甲一审计事由"
    )
    membership = Membership.objects.get(user=world.users["a1_officer"])
    member = HouseholdMember.objects.create(
        person=world.a1_person, name="甲一家属", relation="配偶", phone="13900000101"
    )
    batch = PersonImport.objects.create(enterprise=world.a1, filename="甲一台账秘密.xlsx")
    office = SupervisionOffice.objects.create(jurisdiction=world.park_a, name="甲园区应急办")
    message, webhook = _notify_victims(world)
    oversight = _oversight_victims(world)
    override = StatusOverride.objects.create(
        person=world.a1_person,
        action=OverrideAction.HOLD,
        reason="甲一待复核的人工限制",
        requested_by=world.users["a1_officer"],
        requested_at=_now(),
    )
    login_session = UserSession.objects.create(
        user=world.users["a1_officer"], session_key="a1-officer-session", created_at=_now()
    )
    alert = Alert.objects.create(
        person=world.a1_person,
        kind="fever",
        reason="体温 38.0 ℃",
        citation={},
        source="test",
        opened_at=_now(),
    )
    leave = SickLeave.objects.create(
        person=world.a1_person, reason="发热", started_on=TODAY, recorded_at=_now()
    )
    _duties_victims(world)
    gate, printed, temp_pass, check = _gate_victims(world, token)
    upload = _pack_upload_victim(world)
    trip, declaration = _mobility_victims(world)
    isolation, visitor = _isolation_and_visitor(world, declaration)
    testing = _sampling_victims(world)
    response = _response_victims(world)
    item, area, task = _supplies_victims(world)
    truck, token_text = _truck_victims(world)
    continuity = _continuity_victims(world)
    command = _command_victims(world)
    report = _report_victim(world)
    transport_pass = TransportPass.objects.create(
        enterprise=world.a1,
        plate="渝A88888",
        route="甲一通行路线",
        purpose="甲一生产物资",
        valid_from=TODAY,
        valid_until=TODAY,
        state="applied",
        nonce="a1-pass-nonce",
        applied_at=_now(),
    )
    Parcel.objects.create(
        enterprise=world.a1, addressee=world.a1_person, kind="parcel", arrived_at=_now(),
        code="135790",
    )  # fmt: skip
    correction, purge = _privacy_victims(world)
    return {
        **{k: v.pk for k, v in testing.items()},
        "isolation_id": isolation.pk,  # A1's returnee's isolation: no change, no release
        # Park A's risk-area entry: only park A's admins and cadres read its history or edit it.
        "risk_area_id": _risk_area_victim(world).pk,
        "visitor_id": visitor.pk,  # A1's visitor: no reading, no link
        # The visitor's own page: a forged token (right visitor, wrong nonce) sees nothing.
        "token": _forged_token(visitor),
        "trip_id": trip.pk,  # A1's employee's trip: outsiders may not see or approve it
        "return_id": declaration.pk,  # A1's returnee's plan: no reading, no evidence
        "enterprise_id": world.a1.pk,
        "unit_id": world.a1_unit.pk,
        "person_id": world.a1_person.pk,
        "jurisdiction_id": world.park_a.pk,
        "token_id": token.pk,  # the outsider walker tries to revoke A1's token
        "member_id": member.pk,
        "import_id": batch.pk,
        "office_id": office.pk,  # park A's supervising office (H-3)
        "message_id": message.pk,  # A1's officer's inbox message: outsiders may not mark it read
        "webhook_id": webhook.pk,  # A1's group robot: outsiders may not see, edit, test, delete
        "alert_id": alert.pk,
        "leave_id": leave.pk,
        "override_id": override.pk,  # a pending manual override: nobody else may decide it
        "session_id": login_session.pk,  # A1's officer's login: nobody else may end it
        "gate_id": gate.pk,  # A1's gate: its kiosk, poster, lookup, settings
        "code": gate.place_code,  # A1's place code: only A1's own people may register there
        "pass_id": printed.pk,  # A1's printed pass: outsiders may not print or revoke it
        "upload_id": upload.pk,  # park A's uploaded draft pack: park roles of park A only
        # A1's pending zone move, open incident, its linkage task and candidate contact.
        "move_id": response["ZoneMove"].pk,
        "junction_id": response["Junction"].pk,
        "incident_id": response["Incident"].pk,
        "task_id": response["LinkageTask"].pk,
        "contact_id": response["Contact"].pk,
        "item_id": item.pk,  # A1's protective supplies: nobody else receives or issues them
        "truck_id": truck.pk,  # a truck declared for A1: nobody else checks it in
        # Park A's lockdown of A1 (issue 17): its checkpoint, a pass, a shift, a delivery.
        "order_id": command["LockdownOrder"].pk,
        "checkpoint_id": command["Checkpoint"].pk,
        "lockdown_pass_id": command["LockdownPass"].pk,
        "shift_id": command["Shift"].pk,
        "delivery_id": command["Delivery"].pk,
        # Park A's daily report of the day and A1's row: only park A's admin corrects or
        # submits it; park staff of park A and the county read it (issue 17 §7).
        "row_id": report.rows.get().pk,
        # A1's person's correction request (issue 18 §4): only A1's officers see and answer
        # it; park A's pending end-of-emergency purge (§5): only park A's admins decide it.
        "correction_id": correction.pk,
        "purge_id": purge.pk,
        # Parameters two apps name alike, by route: A1's disinfection task (assigned to its
        # officer) and A1's signed truck-declaration link (a public page).
        "by_route": {
            "supplies_disinfection_done": {"task_id": task.pk},
            "logistics_declare": {"token": token_text},
            # A1's pending transport pass: only park A decides it.
            "logistics_pass": {"pass_id": transport_pass.pk},
            "logistics_pass_decide": {"pass_id": transport_pass.pk},
            "continuity_loop_member_remove": {"member_id": continuity["LoopMember"].pk},
            # A1's running closed loop (oversight's plans take `plan_id` elsewhere).
            "api:loop_end": {"plan_id": continuity["LoopPlan"].pk},
            "api:loop_day": {"plan_id": continuity["LoopPlan"].pk},
            # Park A's cadres' annual assessment (Z-6): a figure's evidence of one of its users.
            "oversight_assessment_evidence": {
                "cadre_id": world.users["park_a_admin"].pk,
                "key": "findings",
            },
        },
        # A1's running closed loop, its member, and a power fault reported by A1 (issue 17).
        "fault_id": continuity["UtilityFault"].pk,
        "id": world.users["a1_officer"].pk,  # admin's password-change page for a user
        # A1's inspection, its rectification item and a photo (issue 16): outsiders may not
        # see, reply, close, reopen or report them; A1's lower roles may not either.
        "inspection_id": oversight["Inspection"].pk,
        "rectification_id": oversight["Rectification"].pk,
        "photo_id": oversight["Photo"].pk,
        "application_id": oversight["Application"].pk,  # A1's event application, pending
        "group_id": oversight["ResponsibilityGroup"].pk,  # A1's epidemic task team
        # A1's plan awaiting approval, its drill with a gap, and its request to the park's
        # hotline (issue 16 §4, §7): only A1's officers and park A's roles see them.
        "plan_id": oversight["Plan"].pk,
        "drill_id": oversight["Drill"].pk,
        "gap_id": oversight["DrillGap"].pk,
        "case_id": oversight["HotlineCase"].pk,
        # Only those who may administer A1's records may ever receive these.
        "admin_markers": [
            event.reason,
            token.name,
            token.prefix,
            batch.filename,
            member.name,
            member.phone,
            temp_pass.name,
            printed.serial,
            upload.title,
            "甲一检测结果.csv",
            oversight["Finding"].description,
            oversight["RectificationEvent"].text,
            oversight["Application"].title,
            oversight["GroupMember"].name,
            oversight["Plan"].title,
            "甲一预案正文",
            oversight["Drill"].scenario,
            oversight["DrillGap"].description,
            oversight["Training"].topic,
            oversight["HotlineCase"].subject,
            oversight["HotlineCase"].caller_phone,
            correction.text,
            purge.reason,
            str(response["Incident"]),
            str(command["LockdownOrder"]),
            str(command["Delivery"]),
            item.name,
            area.name,
            "甲一秘密闭环原因",
            "甲一秘密停电故障",
            "甲一秘密关键岗位",
            "甲一秘密平面图",
        ],
        "models": {
            "Enterprise": world.a1,
            "OrgUnit": world.a1_unit,
            "Person": world.a1_person,
            "Jurisdiction": world.park_a,
            "Membership": membership,
            "ApiToken": token,
            "AuditEvent": event,
            "HouseholdMember": member,
            "PersonImport": batch,
            "SupervisionOffice": office,
            "Message": message,
            "Webhook": webhook,
            "Alert": alert,
            "SickLeave": leave,
            "Gate": gate,
            "PrintedPass": printed,
            "TemporaryPass": temp_pass,
            "AccessCheck": check,
            "UploadedPack": upload,
            **response,
            "SupplyItem": item,
            "DisinfectionArea": area,
            "DailyReport": report,
            "User": world.users["a1_officer"],
            "Trip": trip,
            "ReturnDeclaration": declaration,
            "IsolationRecord": isolation,
            "Visitor": visitor,
            "SamplingRound": testing["round_id"],
            "Sample": testing["sample_id"],
            "Lab": testing["lab_id"],
            "CorrectionRequest": correction,
            "Purge": purge,
            "ResultImport": testing["result_import_id"],
            **oversight,
            **continuity,
        },
    }


def _continuity_victims(world: World) -> dict[str, Model]:
    """A1's running closed loop with its member, a key post, and a fault A1 reported."""
    from parkguard.continuity.models import KeyPost, LoopMember, LoopPlan, UtilityFault

    plan = LoopPlan.objects.create(
        enterprise=world.a1, reason="甲一秘密闭环原因", started_at=_now()
    )
    member = LoopMember.objects.create(
        plan=plan,
        person=world.a1_person,
        dormitory="甲一宿舍",
        workshop="甲一车间",
        joined_at=_now(),
    )
    post = KeyPost.objects.create(
        enterprise=world.a1, name="甲一秘密关键岗位", kind="post", minimum=2, created_at=_now()
    )
    fault = UtilityFault.objects.create(
        park=world.park_a,
        enterprise=world.a1,
        utility="power",
        location="甲一配电房",
        description="甲一秘密停电故障",
        reported_at=_now(),
    )
    return {"LoopPlan": plan, "LoopMember": member, "KeyPost": post, "UtilityFault": fault}


def _privacy_victims(world: World) -> tuple[CorrectionRequest, Purge]:
    correction = CorrectionRequest.objects.create(
        person=world.a1_person,
        enterprise=world.a1,
        field="phone",
        text="甲一张三的秘密更正说明",
        filed_at=_now(),
        due_at=_now(),
    )
    purge = Purge.objects.create(
        jurisdiction=world.park_a,
        kind="emergency",
        state="pending",
        kinds=["declarations"],
        until=TODAY,
        reason="甲园区秘密清除理由",
        requested_by=world.users["park_a_admin"],
        requested_at=_now(),
    )
    return correction, purge


def _duties_victims(world: World) -> None:
    """A1's overdue and due-today duties and a day's figures: the lists, the ledger (Z-3.2)
    and the charts name A1 to those who may see it, and to nobody else."""
    import datetime as dt

    now = _now()
    for person, due_by in (
        (world.a1_person, now),
        (world.a1_employee_person, now + dt.timedelta(hours=1)),
    ):
        Duty.objects.create(
            person=person,
            enterprise=world.a1,
            kind=DutyKind.NUCLEIC_ACID,
            label="甲一例行核酸",
            due_from=due_by - dt.timedelta(days=1),
            due_by=due_by,
            source=ROUTINE,
            created_at=now,
        )
    DailyFigure.objects.create(
        enterprise=world.a1, on=TODAY, headcount=2, declared=1, test_due=2, taken_at=now
    )


def _report_victim(world: World) -> DailyReport:
    """Park A's daily report, a draft with A1's row pre-filled (L-4.3)."""
    report = DailyReport.objects.create(jurisdiction=world.park_a, on=TODAY, prepared_at=_now())
    DailyReportRow.objects.create(report=report, enterprise=world.a1, headcount=2)
    return report


def _gate_victims(
    world: World, token: ApiToken
) -> tuple[Gate, PrintedPass, TemporaryPass, AccessCheck]:
    """A1's gate, a printed pass, a visitor's pass, and a device check in A1's access log."""
    gate = gate_create(
        scope=access.SYSTEM,
        park=world.park_a,
        enterprise=world.a1,
        name="甲一东门",
        place="plant_gate",
        at=_now(),
        by=None,
    )
    printed = printed_pass_issue(scope=access.SYSTEM, person=world.a1_person, at=_now(), by=None)
    visitor = temporary_pass_issue(
        scope=access.SYSTEM,
        enterprise=world.a1,
        kind="visitor",
        name="甲一访客钱七",
        valid_from=_now(),
        valid_until=_now() + dt.timedelta(hours=4),
        at=_now(),
        by=None,
    )
    check = AccessCheck.objects.create(
        at=_now(),
        recorded_at=_now(),
        gate=gate,
        park=world.park_a,
        enterprise=world.a1,
        direction="in",
        method="phone_pass",
        person=world.a1_person,
        device=token,
        allowed=False,
        reasons=[{"text": "无48小时内的核酸检测阴性证明", "citation": None}],
    )
    return gate, printed, visitor, check


def _command_victims(world: World) -> dict[str, Model]:
    """Park A's lockdown of A1 with its checkpoint, a pass for A1's person, a shift on the
    checkpoint's roster and a delivery (issue 17): park A's staff only."""
    admin = world.users["park_a_admin"]
    order = LockdownOrder.objects.create(
        jurisdiction=world.park_a,
        title="甲一整企封控指令",
        reason="甲一发现阳性",
        ordered_at=_now(),
        ordered_by=admin,
        staff_due_at=_now(),
        close_due_at=_now(),
    )
    checkpoint = Checkpoint.objects.create(order=order, enterprise=world.a1, name="甲一出入口")
    issued = LockdownPass.objects.create(
        order=order, person=world.a1_person, kind="electronic", purpose="甲一保供",
        issued_at=_now(), issued_by=admin,
    )  # fmt: skip
    shift = Shift.objects.create(
        jurisdiction=world.park_a, checkpoint=checkpoint, post="甲一出入口", user=admin,
        starts_at=_now(), ends_at=_now() + dt.timedelta(hours=8), created_by=admin,
    )  # fmt: skip
    delivery = Delivery.objects.create(
        order=order, enterprise=world.a1, contents="甲一生活物资包", packages=3, due_at=_now(),
        courier="网格员", packed_at=_now(), created_by=admin,
    )  # fmt: skip
    return {
        "LockdownOrder": order,
        "Checkpoint": checkpoint,
        "LockdownPass": issued,
        "Shift": shift,
        "Delivery": delivery,
    }


def _response_victims(world: World) -> dict[str, Model]:
    """A1's isolation area, a pending manual zone move, an open incident with a linkage task
    and a candidate contact (issue 14): nobody outside A1's officers and park may touch them."""
    area = Area.objects.create(
        enterprise=world.a1,
        name="甲一临时隔离点",
        block="living",
        capacity=4,
        zone="red",
        is_isolation=True,
        created_at=_now(),
    )
    move = ZoneMove.objects.create(
        person=world.a1_person,
        colour="orange",
        area=area,
        reason="甲一待复核的分区调整",
        state="pending",
        requested_by=world.users["a1_officer"],
        requested_at=_now(),
    )
    incident = Incident.objects.create(
        enterprise=world.a1,
        person=world.a1_person,
        title="甲一员工发热事件",
        detected_at=_now(),
    )
    task = LinkageTask.objects.create(incident=incident, label="重点区域消杀", due_at=_now())
    contact = Contact.objects.create(
        incident=incident, person=world.a1_employee_person, basis="同一出入口", found_at=_now()
    )
    # A1's site plan, served as an image only to those who may open A1's zones.
    plan = SitePlan.objects.create(
        enterprise=world.a1,
        svg='<svg xmlns="http://www.w3.org/2000/svg"><text>甲一秘密平面图</text></svg>',
        filename="甲一平面图.svg",
        uploaded_at=_now(),
    )
    # A junction between two of A1's blocks: nobody outside A1's officers and park deletes it.
    workshop = Area.objects.create(
        enterprise=world.a1, name="甲一车间", block="production", capacity=40, created_at=_now()
    )
    junction = Junction.objects.create(
        enterprise=world.a1, from_area=workshop, to_area=area, kind="buffer", created_at=_now()
    )
    return {
        "SitePlan": plan,
        "Junction": junction,
        "Area": area,
        "ZoneMove": move,
        "Incident": incident,
        "LinkageTask": task,
        "Contact": contact,
    }


def _pack_upload_victim(world: World) -> UploadedPack:
    """A draft pack uploaded by park A's admin (issue 10 §3)."""
    admin = world.users["park_a_admin"]
    text = (
        (DEFAULT_PACKS_DIR / "example-quyu-2022-1.v1.yaml")
        .read_text(encoding="utf-8")
        .replace("id: example-quyu-2022-1\n", "id: park-a-secret-pack\n", 1)
        .replace("\ntitle: ", "\ntitle: 甲园区未发布的规则包", 1)
    )
    return pack_upload(
        scope=scope_for_user(admin),
        park=world.park_a,
        file="park-a.v1.yaml",
        text=text,
        by=admin,
        at=_now(),
    )


def _mobility_victims(world: World) -> tuple[Trip, ReturnDeclaration]:
    import datetime as dt

    trip = Trip.objects.create(
        person=world.a1_person,
        enterprise=world.a1,
        purpose="private",
        departs_on=TODAY,
        returns_on=TODAY + dt.timedelta(days=3),
        status="pending",
        approver="企业负责同志",
        filed_at=_now(),
    )
    TripStop.objects.create(
        trip=trip,
        order=1,
        division_code="420102",
        division_name="湖北省武汉市江岸区",
        first_day=TODAY,
        last_day=TODAY,
    )
    declaration = ReturnDeclaration.objects.create(
        person=world.a1_person,
        enterprise=world.a1,
        trip=trip,
        arrived_at=_now(),
        transport="train",
        stays=[
            {
                "division_code": "420102",
                "division_name": "湖北省武汉市江岸区",
                "first_day": TODAY.isoformat(),
                "last_day": TODAY.isoformat(),
                "transit": False,
            }
        ],
        declared_at=_now(),
    )
    ReturnPlan.objects.create(
        declaration=declaration,
        pack_id="jinjiang-xiyuan-2022-81",
        version=1,
        document_number="晋政西〔2022〕81号",
        plan={"obligations": [], "phases": []},
        state="done",
        computed_at=_now(),
    )
    PlanEvidence.objects.create(
        declaration=declaration, kind="test", at=_now(), result="negative", recorded_at=_now()
    )
    return trip, declaration


def _risk_area_victim(world: World) -> RiskArea:
    return RiskArea.objects.create(
        jurisdiction=world.park_a,
        division_code="420102",
        division_name="湖北省武汉市江岸区",
        level="high",
        effective_from=TODAY,
        source="甲园区公告",
        created_at=_now(),
    )


def _isolation_and_visitor(
    world: World, declaration: ReturnDeclaration
) -> tuple[IsolationRecord, Visitor]:
    import datetime as dt

    point = ObservationPoint.objects.create(
        enterprise=world.a1, kind="buffer", name="甲一缓冲区", capacity=3, created_at=_now()
    )
    isolation = IsolationRecord.objects.create(
        declaration=declaration,
        person=world.a1_person,
        enterprise=world.a1,
        kind="home_isolation",
        label="居家隔离",
        starts_at=_now(),
        ends_at=_now() + dt.timedelta(days=7),
        planned_end=_now() + dt.timedelta(days=7),
    )
    visitor = Visitor.objects.create(
        enterprise=world.a1,
        host=world.a1_person,
        purpose="洽谈",
        origin_code="310115",
        origin_name="上海市浦东新区",
        arrives_at=_now(),
        state="registered",
        buffer=point,
        link_nonce="a1" * 16,
        created_at=_now(),
    )
    return isolation, visitor


def _forged_token(visitor: Visitor) -> str:
    from django.core import signing

    from parkguard.mobility.visitors import SALT

    return signing.dumps({"v": visitor.pk, "n": "0" * 32}, salt=SALT)


def _sampling_victims(world: World) -> dict[str, Any]:
    """A1's round with a pooled tube and an antigen self-test (with its photo), park A's lab
    and an import of A1's: outsiders may not see, sample, record, import or map."""
    at = _now()
    lab = Lab.objects.create(jurisdiction=world.park_a, name="甲园区检测中心", mapping={})
    rnd = SamplingRound.objects.create(
        enterprise=world.a1,
        name="甲一全员核酸",
        on=TODAY,
        kind="full",
        group="all",
        pool_size=10,
        created_at=at,
    )
    rnd.members.create(person=world.a1_person)
    tube = Sample.objects.create(
        enterprise=world.a1, round=rnd, kind="pool", barcode="A1-POOL-1", taken_at=at
    )
    tube.memberships.create(person=world.a1_person)
    antigen = Sample.objects.create(
        enterprise=world.a1, kind="antigen", taken_at=at, result="negative", result_at=at
    )
    antigen.memberships.create(person=world.a1_employee_person)
    AntigenPhoto.objects.create(
        sample=antigen, content=b"\x89PNG\r\n\x1a\n", content_type="image/png", size=8
    )
    batch = ResultImport.objects.create(
        lab=lab, enterprise=world.a1, filename="甲一检测结果.csv", state="done", created_at=at
    )
    return {
        "lab_id": lab,
        "round_id": rnd,
        "sample_id": tube,
        "antigen_id": antigen,
        "result_import_id": batch,
    }


def _oversight_victims(world: World) -> dict[str, Any]:
    """Park A's own checklist item, and A1's inspection, finding, item, reply and photo."""
    item = ChecklistItem.objects.create(
        jurisdiction=world.park_a, kind="园区自设", text="甲园区自设检查项", created_at=_now()
    )
    inspection = Inspection.objects.create(
        jurisdiction=world.park_a, enterprise=world.a1, planned_on=TODAY, created_at=_now()
    )
    finding = Finding.objects.create(
        inspection=inspection, description="甲一秘密问题：门岗未测温", created_at=_now()
    )
    rectification = Rectification.objects.create(
        finding=finding,
        jurisdiction=world.park_a,
        enterprise=world.a1,
        owner_name="甲一整改人",
        deadline=TODAY,
        status=RectificationStatus.REPLIED,
        created_at=_now(),
    )
    event = RectificationEvent.objects.create(
        rectification=rectification, kind=EventKind.REPLIED, text="甲一秘密回复", at=_now()
    )
    photo = Photo.objects.create(
        rectification=rectification,
        event=event,
        role=PhotoRole.EVIDENCE,
        content_type="image/png",
        size=len(PNG),
        content=PNG,
        uploaded_at=_now(),
    )
    application = Application.objects.create(
        jurisdiction=world.park_a,
        enterprise=world.a1,
        kind="business_event",
        title="甲一秘密订货会",
        starts_at=_now(),
        headcount=250,
        participants_origin="out_of_province",
        route={"approval": None, "documents": [], "rules": []},
        applied_at=_now(),
    )
    team = ResponsibilityGroup.objects.create(
        jurisdiction=world.park_a,
        enterprise=world.a1,
        kind="enterprise_team",
        name="甲一防疫专班",
        created_at=_now(),
    )
    member = GroupMember.objects.create(group=team, name="甲一专班成员", post="组员")
    plan = Plan.objects.create(
        jurisdiction=world.park_a,
        enterprise=world.a1,
        kind="enterprise",
        version=1,
        title="甲一秘密预案",
        sections=[{"key": "k", "title": "组织体系及职责", "citation": {}, "text": "甲一预案正文"}],
        submitted_at=_now(),
    )
    drill = Drill.objects.create(
        jurisdiction=world.park_a,
        enterprise=world.a1,
        scenario="甲一秘密演练",
        planned_on=TODAY,
        status="done",
        held_on=TODAY,
        created_at=_now(),
    )
    gap = DrillGap.objects.create(drill=drill, description="甲一演练秘密问题")
    training = Training.objects.create(
        jurisdiction=world.park_a,
        enterprise=world.a1,
        kind="training",
        topic="甲一秘密培训",
        held_on=TODAY,
        organiser="甲一",
        recorded_at=_now(),
    )
    case = HotlineCase.objects.create(
        jurisdiction=world.park_a,
        enterprise=world.a1,
        kind="request",
        channel="enterprise",
        subject="甲一秘密诉求",
        text="甲一诉求正文",
        caller_phone="13900000177",
        received_at=_now(),
    )
    return {
        "Plan": plan,
        "Drill": drill,
        "DrillGap": gap,
        "Training": training,
        "HotlineCase": case,
        "ResponsibilityGroup": team,
        "GroupMember": member,
        "Application": application,
        "ChecklistItem": item,
        "Inspection": inspection,
        "Finding": finding,
        "Rectification": rectification,
        "RectificationEvent": event,
        "Photo": photo,
    }


PNG = b"\x89PNG\r\n\x1a\n" + bytes(24)


def _supplies_victims(world: World) -> tuple[SupplyItem, DisinfectionArea, DisinfectionTask]:
    item = SupplyItem.objects.create(
        enterprise=world.a1, kind="mask", name="甲一秘藏口罩", unit="个", on_hand=50
    )
    StockMove.objects.create(
        item=item, kind=MoveKind.RECEIPT, quantity=50, balance=50, at=_now(), by=None
    )
    area = DisinfectionArea.objects.create(
        enterprise=world.a1,
        name="甲一秘密车间",
        kind="车间工作区",
        assignee=world.users["a1_officer"],
    )
    task = DisinfectionTask.objects.create(
        area=area, on=TODAY, slot="上班前", assignee=world.users["a1_officer"]
    )
    # The walker posts this task's id to A1's checklist (an outsider must still be refused).
    API_BODIES["done"] = {"task_id": task.pk}
    return item, area, task


def _truck_victims(world: World) -> tuple[TruckDeclaration, str]:
    _, token = declaration_link_create(
        scope=access.SYSTEM, enterprise=world.a1, label="甲一承运", at=_now(), by=None
    )
    truck = TruckDeclaration.objects.create(
        enterprise=world.a1,
        declared_by="carrier",
        plate="渝A99999",
        planned_arrival=_now(),
        route="甲一秘密路线",
        travel_history="重庆",
        submitted_at=_now(),
    )
    CrewMember.objects.create(
        declaration=truck,
        name="甲一司机",
        id_digest="x" * 64,
        id_cipher="",
        id_masked="450***********12",
        phone="13900000999",
    )
    DwellLimit.objects.create(jurisdiction=world.park_a, minutes=45, basis="甲园区办法")
    return truck, token


def _notify_victims(world: World) -> tuple[Message, Webhook]:
    officer = world.users["a1_officer"]
    notify_send(
        users=[officer],
        kind=Kind.HEALTH_ALERT,
        title=f"{world.a1.name} 体温异常",
        body="",
        at=_now(),
    )
    webhook = webhook_create(
        scope=scope_for_user(officer),
        enterprise=world.a1,
        name=f"{world.a1.name}防疫群",
        vendor=Vendor.WECOM,
        url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=a1-secret-key-000",
        kinds=[Kind.HEALTH_ALERT],
        by=officer,
        at=_now(),
    )
    return Message.objects.get(user=officer), webhook


def _now() -> Any:
    return dt.datetime.combine(TODAY, dt.time(9), tzinfo=dt.UTC)


def _url(route: Route, victims: dict[str, Any]) -> str | None:
    """The route's URL aimed at A1's objects; None only for routes in SKIPPED."""
    path = route.route.lstrip("^").rstrip("$")
    for param in route.params:
        if param in NEUTRAL:
            value: Any = NEUTRAL[param]
        elif param in {"object_id", "id"} and route.admin_model is not None:
            victim = victims["models"].get(route.admin_model.__name__)
            if victim is None:
                assert route.admin_model.__name__ in NO_VICTIM_MODELS, (
                    f"{route.name}: name a victim object of {route.admin_model.__name__}"
                )
                value = 999_999_999
            else:
                value = victim.pk
        elif route.name in SKIPPED:
            return None
        elif param in victims["by_route"].get(route.name, {}):
            value = victims["by_route"][route.name][param]
        elif param in victims:
            value = victims[param]
        else:
            pytest.fail(f"{route.name}: name a victim object for parameter {param!r}")
        path = re.sub(rf"<(?:\w+:)?{param}>|\(\?P<{param}>[^)]*\)", str(value), path, count=1)
    path = re.sub(r"\\(.)", r"\1", path)
    return "/" + path


def _leaks(body: bytes, markers: list[str]) -> list[str]:
    text = body.decode("utf-8", errors="replace")
    return [m for m in markers if m and m in text]


def _refused(status: int, location: str, *, write: bool, route: Route) -> bool:
    """A refusal: 401/403/404/405 (or a validation error for a write), or a redirect to login.

    Other redirects may follow a successful write, so they do not count, with two exceptions of
    Django's admin: an object it cannot find (out of scope) sends the caller to the admin index
    (a successful admin write goes to a changelist instead), and its legacy `<object_id>/` route
    only redirects to that object's change page, which is walked on its own.
    """
    if status == 302:
        if location.startswith((reverse("login"), reverse("admin:login"))):
            return True
        if route.name.startswith("admin:"):
            return location == reverse("admin:index") or route.name.startswith("admin:admin/")
        return False
    return status in (WRITE_DENIED if write else DENIED)


def _snapshot() -> dict[tuple[str, Any], str]:
    """A digest of every column of every row of every table, keyed by (model, pk)."""
    rows: dict[tuple[str, Any], str] = {}
    for model in apps.get_models():
        label = model._meta.label
        if label in BOOKKEEPING or not model._meta.managed:
            continue
        fields = [
            f.attname for f in model._meta.concrete_fields if (label, f.attname) not in VOLATILE
        ]
        pk = model._meta.pk.attname
        for values in model._default_manager.values(*fields).iterator():
            digest = hashlib.sha256(repr(sorted(values.items())).encode()).hexdigest()
            rows[(label, values.get(pk))] = digest
    return rows


def _changes(before: dict[tuple[str, Any], str], after: dict[tuple[str, Any], str]) -> list[str]:
    changed = [f"{k[0]}#{k[1]} changed" for k in before if k in after and before[k] != after[k]]
    gone = [f"{k[0]}#{k[1]} deleted" for k in before if k not in after]
    added = [f"{k[0]}#{k[1]} added" for k in after if k not in before]
    return changed + gone + added


def _client_for(
    world: World, client_as: Callable[[str | None], Client], persona: str | None
) -> Client:
    """A client for a persona of the world, or for one the walker adds itself (a liaison of a
    third community, device tokens): those are made here, before the walker's snapshot."""
    if persona in TOKEN_PERSONAS:
        assert persona is not None
        owner = persona.rsplit("_", 1)[0]
        enterprises = {"a1": world.a1, "a2": world.a2}
        parks = {"park_a": world.park_a, "park_b": world.park_b}
        _, clear = api_token_create(
            name=f"{persona}-设备",
            created_by=None,
            enterprise=enterprises.get(owner),
            jurisdiction=parks.get(owner),
        )
        return Client(HTTP_AUTHORIZATION=f"Bearer {clear}")
    if persona == "liaison_c" and persona not in world.users:
        community = jurisdiction_create(
            name="丙社区", kind=JurisdictionKind.COMMUNITY, parent=world.community_a.parent
        )
        world.users[persona] = make_user(persona)
        Membership.objects.create(
            user=world.users[persona], role=Role.COMMUNITY_LIAISON, jurisdiction=community
        )
    return client_as(persona)


def walk(
    world: World,
    client_as: Callable[[str | None], Client],
    personas: list[str | None],
    *,
    first_only: bool = False,
) -> list[str]:
    """Every route by every persona; returns what went wrong (empty when all is refused)."""
    victims = _victims(world)
    markers = world.markers() + victims["admin_markers"]
    routes = list(_walk(get_resolver().url_patterns))
    assert len(routes) > 20, "the walker found too few routes"
    failures: list[str] = []
    for persona in personas:
        outsider = persona in OUTSIDERS
        client = _client_for(world, client_as, persona)
        before = _snapshot()
        for route in routes:
            url = _url(route, victims)
            if url is None:
                continue
            where = f"{persona or 'anonymous'} GET {url} ({route.name})"
            response = client.get(url)
            if response.status_code >= 500:
                failures.append(f"{where}: {response.status_code}")
            # Outsiders receive nothing of A1; lower roles nothing only administrators see.
            leaked = _leaks(response.content, markers if outsider else victims["admin_markers"])
            failures += [f"{where}: leaks {m!r}" for m in leaked]
            if route.name in PUBLIC:
                continue
            tenant = any(p not in NEUTRAL for p in route.params)
            shared = route.name in PARK_SHARED_READS and persona in PARK_PEERS
            if (persona is None or (outsider and tenant and not shared)) and not _refused(
                response.status_code, response.get("Location", ""), write=False, route=route
            ):
                failures.append(f"{where}: {response.status_code}")
            if not tenant or (not outsider and route.name in LOWER_ROLE_WRITES):
                continue
            for method, status, location, body in _writes(client, url):
                what = f"{where} {method}"
                seen = markers if outsider else victims["admin_markers"]
                failures += [f"{what}: leaks {m!r}" for m in _leaks(body, seen)]
                if not _refused(status, location, write=True, route=route):
                    failures.append(f"{what}: {status}")
            if first_only and failures:
                return failures
        failures += [f"{persona or 'anonymous'}: {c}" for c in _changes(before, _snapshot())]
        if first_only and failures:
            return failures
    return failures


@pytest.mark.django_db
def test_it_denies_every_route_to_outsiders_and_lower_roles(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    assert walk(world, client_as, [*OUTSIDERS, *LOWER_ROLES]) == []


@pytest.mark.django_db
def test_it_fails_when_the_read_scope_is_switched_off(
    world: World, client_as: Callable[[str | None], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The walker is not vacuous: with `visible()` seeing every row, another enterprise's
    officer reaches A1's objects and the walker says so."""
    monkeypatch.setattr(access, "_filter", lambda scope, model: None)
    failures = walk(world, client_as, ["a2_officer"], first_only=True)
    assert failures and failures[0].startswith("a2_officer ")


@pytest.mark.django_db
def test_it_fails_when_the_action_check_is_switched_off(
    world: World, client_as: Callable[[str | None], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With every action allowed to whoever sees the row, A1's team leader changes A1's data."""
    monkeypatch.setattr(access, "_action_filter", lambda scope, model, action: None)
    failures = walk(world, client_as, ["a1_leader"], first_only=True)
    assert failures and failures[0].startswith("a1_leader ")


# Valid JSON bodies for the API's writes, so a missing scope check cannot hide behind a
# validation error: with these, an outsider must get 401/403/404, nothing else.
API_BODIES: dict[str, dict[str, Any]] = {
    "junctions": {"from_area_id": 1, "to_area_id": 2, "kind": "buffer"},
    "junctions/<id>": {"direction": "both", "controlled": True, "gate_id": None},
    "units": {"name": "外人单元", "kind": "department"},
    "people": {
        "name": "外人",
        "id_number": "450222199001011234",
        "phone": "13800000000",
        "category": "regular",
    },
    "reveal": {"reason": "越权查看"},
    "person": {"name": "被改名"},
    "read": {},
    # Accounts and roles (issue 7 §1).
    "accounts": {"login": "outsider-login", "full_name": "外人", "role": "gate_guard"},
    "roles": {"role": "gate_guard"},
    "remove": {"membership_id": 1},
    "deactivate": {},
    "reactivate": {},
    "reset": {},
    "employee-logins": {"person_ids": [1], "login_by": "phone"},
    # Approving A1's pending manual override (issue 18 §2) or A1's trip (issue 12).
    # Testing (issue 11 §4, §5).
    "rounds": {"name": "外人轮次", "on": "2022-11-15", "kind": "full", "pool_size": 10},
    "samples": {"barcode": "OUTSIDER-1", "kind": "single", "person_ids": [1]},
    "result": {"result": "positive"},
    # Approving A1's pending manual override (issue 18 §2).
    "decision": {"approve": True, "note": "越权批准"},
    # Rule packs a park uploads, previews, publishes and adopts (issue 10 §3).
    "validate": {"file": "x.yaml", "text": "id: x\n"},
    "uploads": {"file": "x.yaml", "text": "id: x\n"},
    "preview": {"command": "plan", "body": {}},
    "propose": {},
    "publish": {},
    "adopt": {"pack_id": "example-quyu-2022-1", "params": {}},
    # Mobility (issue 12). Updating A1's employee's trip: the traveller alone (issue 12 §2).
    "trips/<id>": {
        "purpose": "private",
        "returns_on": "2099-01-01",
        "stops": [{"division_code": "110105", "first_day": "2099-01-01", "last_day": "2099-01-01"}],
    },
    "evidence": {"kind": "test", "done_at": "2022-11-15T09:00:00+08:00", "result": "negative"},
    "impact": {"kind": "risk_areas"},
    "confirm": {"kind": "risk_areas", "description": "越权确认"},
    "details": {
        "name": "越权",
        "phone": "13900000009",
        "stays": [{"division_code": "310115", "first_day": "2022-11-10", "last_day": "2022-11-14"}],
    },
    "change": {"ends_at": "2022-11-30T00:00:00+08:00", "reason": "越权"},
    # Issuing A1's visitor a gate pass (J-1.2, issue 13 §1); cancelling needs no body.
    "pass": {"departs_at": "2022-11-19T18:00:00+08:00"},
    "visitors": {
        "purpose": "越权",
        "origin_code": "310115",
        "arrives_at": "2022-11-16T09:00:00+08:00",
    },
    # Editing park A's risk-area entry (issue 12 §1): a valid change with its reason.
    "risk-areas/<id>": {"effective_to": "2022-11-16", "reason": "越权提前结束"},
    "risk-areas": {
        "division_code": "420102",
        "level": "high",
        "effective_from": "2022-11-15",
        "source": "越权登记",
    },
    # Answering, closing, reopening and reporting A1's rectification item (issue 16).
    "reply": {"text": "越权回复", "evidence": [base64.b64encode(PNG).decode()]},
    "close": {"note": "越权销号"},
    "reopen": {"note": "越权退回"},
    "report": {"note": "越权上报", "deadline": "2099-01-01"},
    "applications": {
        "kind": "business_event",
        "title": "越权申请",
        "starts_at": "2099-01-01T09:00:00+08:00",
        "headcount": 10,
        "participants_origin": "local",
    },
    # Plans and the hotline (issue 16 §4, §7); "decision" above approves A1's plan too.
    "plans": {"title": "越权预案", "sections": {}},
    "hotline": {"kind": "report", "subject": "越权登记", "text": "越权"},
    "answer": {"answer": "越权答复"},
    # Zones and incidents (issue 14).
    "areas": {"name": "外人区块", "block": "production", "capacity": 5},
    # Binding an area to a region of the site plan (issue 14 §1).
    "regions": {"area_id": 1, "region": "road"},
    "incidents": {"person_id": 1, "title": "越权登记"},
    # "report" (an incident's first report) shares the rectification report's body above.
    "isolate": {},
    "trace": {},
    "done": {},
    "review": {"confirm": True},
    # Protective supplies and disinfection (issue 15).
    "items": {"kind": "mask", "name": "外人口罩", "unit": "个"},
    "moves": {"kind": "receipt", "quantity": 5},
    # "done" (a disinfection task) takes {"task_id": A1's task}, set with the victims below.
    # Trucks (issue 15 §1, §2): a declaration, the gate's entry checks, an exit.
    "trucks": {
        "plate": "渝A00001",
        "planned_arrival": "2030-01-01T08:00:00+08:00",
        "route": "外人路线",
        "travel_history": "重庆",
        "crew": [],
    },
    "entry": {
        "temperatures": {},
        "codes_checked": True,
        "truck_disinfected": True,
        "goods_disinfected": True,
        "loading_zone": "外人装卸区",
    },
    "exit": {"plate": "渝A99999"},
    # Production continuity (issue 17 §2, §4).
    "start": {"reason": "越权启动"},
    "end": {"reason": "越权解除"},
    "days": {"on": "2022-11-15", "meals_served": 1, "beds_provided": 1},
    "key-posts": {"name": "越权岗位", "kind": "post", "minimum": 1},
    "faults": {"utility": "power", "location": "越权", "description": "越权报修"},
    "assign": {"assignee": "越权"},
    "repair": {"note": "越权"},
    # Lockdown command (issue 17): orders, lifting, passes, rosters, supplies.
    "orders": {"title": "越权封控", "reason": "越权", "enterprise_ids": [1]},
    "lift": {"reason": "越权解封"},
    "passes": {"person_id": 1, "kind": "electronic", "purpose": "越权通行"},
    "shifts": {
        "user_id": 1,
        "starts_at": "2030-01-01T08:00:00+08:00",
        "ends_at": "2030-01-01T16:00:00+08:00",
        "post": "越权岗位",
    },
    "handover": {"note": "越权交接"},
    "needs": {"kind": "living", "item": "越权物资", "quantity": 1, "unit": "份"},
    "deliveries": {
        "contents": "越权配送",
        "packages": 1,
        "due_at": "2030-01-01T08:00:00+08:00",
        "courier": "越权",
    },
    "delivered": {"receiver": "越权签收"},
    "shortfalls": {"enterprise_id": 1, "item": "越权物资", "short_by": 1, "unit": "斤"},
}


def _writes(client: Client, url: str) -> list[tuple[str, int, str, bytes]]:
    """POST (and for the API, PATCH and PUT) to a route that names a tenant's object."""
    if not url.startswith("/api/"):
        response = client.post(url, {})
        return [("POST", response.status_code, response.get("Location", ""), response.content)]
    parent, tail = url.rstrip("/").rsplit("/", 2)[-2:]
    item = f"{parent}/<id>"  # an object's own path (`…/junctions/7`): its body for a PUT
    key = (
        tail if tail in API_BODIES else item if tail.isdigit() and item in API_BODIES else "person"
    )
    body = json.dumps(API_BODIES[key])
    results = []
    for method in ("post", "patch", "put"):
        response = getattr(client, method)(url, body, content_type="application/json")
        # With a valid body, only a scope refusal may answer (never a validation error).
        status = response.status_code
        results.append(
            (method.upper(), 200 if status in {400, 422} else status, "", response.content)
        )
    return results


@pytest.mark.django_db
def test_it_redirects_anonymous_pages_to_login(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    response = client_as(None).get(f"/enterprises/{world.a1.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith(settings.LOGIN_URL.join(["/accounts/", "/"])[:16])


@pytest.mark.django_db
def test_it_refuses_a_device_token_of_another_enterprise(world: World) -> None:
    _, clear = api_token_create(name="甲二门岗", created_by=None, enterprise=world.a2)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {clear}")
    assert client.get(f"/api/v1/enterprises/{world.a1.pk}").status_code == 404
    assert client.get(f"/api/v1/enterprises/{world.a2.pk}").status_code == 200
    listed = client.get("/api/v1/enterprises").json()
    assert [e["name"] for e in listed] == [world.a2.name]


@pytest.mark.django_db
def test_it_refuses_a_revoked_token(world: World) -> None:
    token, clear = api_token_create(name="甲一门岗", created_by=None, enterprise=world.a1)
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=_now())
    response = Client(HTTP_AUTHORIZATION=f"Bearer {clear}").get("/api/v1/enterprises")
    assert response.status_code == 401
    assert response.json()["detail"] == "未登录，或设备令牌无效、已吊销"


@pytest.mark.django_db
def test_it_keeps_personal_data_from_device_tokens(world: World) -> None:
    """A gate or lab token reads enterprises and units, never the staff ledger."""
    _, enterprise_token = api_token_create(name="甲一门岗", created_by=None, enterprise=world.a1)
    _, park_token = api_token_create(name="甲园区", created_by=None, jurisdiction=world.park_a)
    for clear in (enterprise_token, park_token):
        client = Client(HTTP_AUTHORIZATION=f"Bearer {clear}")
        assert client.get(f"/api/v1/enterprises/{world.a1.pk}").status_code == 200
        listed = client.get(f"/api/v1/enterprises/{world.a1.pk}/people")
        assert listed.status_code == 200 and listed.json() == []
        assert client.get(f"/api/v1/people/{world.a1_person.pk}").status_code == 404
        body = client.get(f"/api/v1/parks/{world.park_a.pk}/id-conflicts").content
        assert _leaks(body, world.markers()) == []
        assert world.a1_person.name not in client.get("/api/v1/roster").content.decode()
