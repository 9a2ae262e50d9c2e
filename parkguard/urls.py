"""ParkGuard's URL map: pages per app, the JSON API under /api/v1/, admin under /admin/."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from parkguard.api.root import api_urls
from parkguard.lib import outage
from parkguard.orgs.login import AdminLoginForm, credential_posts_limited

admin.site.site_header = "ParkGuard 园区疫情防控管理平台"
admin.site.site_title = "ParkGuard 后台"
admin.site.index_title = "后台管理"
# The back office logs in through the same lockout as the pages.
admin.site.login_form = AdminLoginForm
# The back-office login shares the credential POST limit (issue 18 §3).
admin.site.login = credential_posts_limited(admin.site.login)  # type: ignore[method-assign,assignment]

# A database outage is a 503, every other failure a Chinese 500 (parkguard.lib.outage).
handler500 = "parkguard.lib.outage.server_error"

urlpatterns = [
    path("healthz", outage.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api_urls()),
    path("", include("parkguard.overview.urls")),
    path("", include("parkguard.orgs.urls")),
    path("", include("parkguard.people.urls")),
    path("", include("parkguard.rules.urls")),
    path("", include("parkguard.notify.urls")),
    path("", include("parkguard.health.urls")),
    path("", include("parkguard.mobility.urls")),
    path("", include("parkguard.sampling.urls")),
    path("", include("parkguard.status.urls")),
    path("", include("parkguard.duties.urls")),
    path("", include("parkguard.gate.urls")),
    path("", include("parkguard.oversight.urls")),
    path("", include("parkguard.response.urls")),
    path("", include("parkguard.supplies.urls")),
    path("", include("parkguard.logistics.urls")),
    path("", include("parkguard.continuity.urls")),
    path("", include("parkguard.command.urls")),
    path("", include("parkguard.reporting.urls")),
    path("", include("parkguard.privacy.urls")),
]
