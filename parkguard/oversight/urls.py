from __future__ import annotations

from django.urls import path

from parkguard.oversight import views

urlpatterns = [
    path("oversight/", views.home, name="oversight_home"),
    path("oversight/parks/<int:jurisdiction_id>/", views.park, name="oversight_park"),
    path(
        "oversight/parks/<int:jurisdiction_id>/ledger/",
        views.park_ledger,
        name="oversight_park_ledger",
    ),
    path(
        "oversight/parks/<int:jurisdiction_id>/ledger.xlsx",
        views.park_export,
        name="oversight_park_export",
    ),
    path(
        "oversight/parks/<int:jurisdiction_id>/notices/",
        views.park_notices,
        name="oversight_park_notices",
    ),
    path(
        "oversight/parks/<int:jurisdiction_id>/checklist/",
        views.park_checklist,
        name="oversight_park_checklist",
    ),
    path(
        "oversight/inspections/<int:inspection_id>/",
        views.inspection,
        name="oversight_inspection",
    ),
    path(
        "oversight/inspections/<int:inspection_id>/findings/",
        views.finding_add,
        name="oversight_finding_add",
    ),
    path(
        "oversight/enterprises/<int:enterprise_id>/",
        views.enterprise,
        name="oversight_enterprise",
    ),
    path(
        "oversight/rectifications/<int:rectification_id>/",
        views.rectification,
        name="oversight_rectification",
    ),
    path(
        "oversight/rectifications/<int:rectification_id>/reply/",
        views.rectification_reply,
        name="oversight_rectification_reply",
    ),
    path(
        "oversight/rectifications/<int:rectification_id>/close/",
        views.rectification_close,
        name="oversight_rectification_close",
    ),
    path(
        "oversight/rectifications/<int:rectification_id>/reopen/",
        views.rectification_reopen,
        name="oversight_rectification_reopen",
    ),
    path(
        "oversight/rectifications/<int:rectification_id>/report/",
        views.rectification_report,
        name="oversight_rectification_report",
    ),
    path("oversight/photos/<int:photo_id>/", views.photo, name="oversight_photo"),
    path(
        "oversight/enterprises/<int:enterprise_id>/applications/",
        views.enterprise_applications,
        name="oversight_enterprise_applications",
    ),
    path(
        "oversight/parks/<int:jurisdiction_id>/applications/",
        views.park_applications,
        name="oversight_park_applications",
    ),
    path(
        "oversight/applications/<int:application_id>/",
        views.application,
        name="oversight_application",
    ),
    path(
        "oversight/applications/<int:application_id>/decide/",
        views.application_decide,
        name="oversight_application_decide",
    ),
    path(
        "oversight/parks/<int:jurisdiction_id>/responsibility/",
        views.park_responsibility,
        name="oversight_park_responsibility",
    ),
    path(
        "oversight/enterprises/<int:enterprise_id>/responsibility/",
        views.enterprise_responsibility,
        name="oversight_enterprise_responsibility",
    ),
    path(
        "oversight/groups/<int:group_id>/members/",
        views.group_member_add,
        name="oversight_group_member_add",
    ),
    path(
        "oversight/parks/<int:jurisdiction_id>/readiness/",
        views.park_readiness,
        name="oversight_park_readiness",
    ),
    path("oversight/my-enterprises/", views.my_enterprises, name="oversight_my_enterprises"),
    path(
        "oversight/parks/<int:jurisdiction_id>/assessment/",
        views.park_assessment,
        name="oversight_park_assessment",
    ),
    path(
        "oversight/parks/<int:jurisdiction_id>/assessment/export/",
        views.park_assessment_export,
        name="oversight_park_assessment_export",
    ),
    path(
        "oversight/parks/<int:jurisdiction_id>/assessment/<int:cadre_id>/<slug:key>/",
        views.assessment_evidence,
        name="oversight_assessment_evidence",
    ),
]

urlpatterns += [
    # Plans (Z-4.1)
    path(
        "oversight/parks/<int:jurisdiction_id>/plans/",
        views.park_plans,
        name="oversight_park_plans",
    ),
    path(
        "oversight/enterprises/<int:enterprise_id>/plans/",
        views.enterprise_plans,
        name="oversight_enterprise_plans",
    ),
    path("oversight/plans/<int:plan_id>/", views.plan, name="oversight_plan"),
    path("oversight/plans/<int:plan_id>/decide/", views.plan_decide, name="oversight_plan_decide"),
    # Drills, gaps, training (Z-4.1, J-2.2)
    path(
        "oversight/parks/<int:jurisdiction_id>/drills/",
        views.park_drills,
        name="oversight_park_drills",
    ),
    path(
        "oversight/enterprises/<int:enterprise_id>/drills/",
        views.enterprise_drills,
        name="oversight_enterprise_drills",
    ),
    path("oversight/drills/<int:drill_id>/", views.drill, name="oversight_drill"),
    path("oversight/gaps/<int:gap_id>/fix/", views.gap_fix, name="oversight_gap_fix"),
    path("oversight/gaps/<int:gap_id>/ledger/", views.gap_ledger, name="oversight_gap_ledger"),
    # Hotline and requests (B-3, L-3.1); `oversight_hotline` is the list other apps link to.
    path("oversight/hotline/", views.hotline, name="oversight_hotline"),
    path(
        "oversight/parks/<int:jurisdiction_id>/hotline/",
        views.park_hotline,
        name="oversight_park_hotline",
    ),
    path(
        "oversight/enterprises/<int:enterprise_id>/requests/",
        views.enterprise_requests,
        name="oversight_enterprise_requests",
    ),
    path("oversight/hotline/<int:case_id>/", views.case, name="oversight_case"),
    path(
        "oversight/hotline/<int:case_id>/assign/", views.case_assign, name="oversight_case_assign"
    ),
    path(
        "oversight/hotline/<int:case_id>/answer/", views.case_answer, name="oversight_case_answer"
    ),
]
