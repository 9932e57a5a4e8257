from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from linli.api import api
from linli.core.health import healthz
from linli.home.views import home
from linli.requests import urls as request_urls
from linli.triage import urls as triage_urls

admin.site.site_header = _("邻里 管理后台")
admin.site.site_title = _("邻里")
admin.site.index_title = _("系统管理")

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("linli.accounts.urls")),
    path("people/", include("linli.people.urls")),
    path("imports/", include("linli.imports.urls")),
    path(
        "requests/",
        include(([*request_urls.urlpatterns, *triage_urls.request_pages], request_urls.app_name)),
    ),
    path("volunteers/", include("linli.volunteers.urls")),
    # summer programmes (暑期托管)
    path("programmes/", include("linli.programmes.urls")),
    # --- activities (issue 14) ---
    path("activities/", include("linli.activities.urls")),
    path("rosters/", include("linli.rosters.urls")),
    path("care/", include("linli.care.urls")),
    path("fieldwork/", include("linli.fieldwork.urls")),
    # --- party work (issue 13) ---
    path("party/", include("linli.party.urls")),
    path("notifications/", include("linli.notifications.urls")),
    path("audit/", include("linli.audit.urls")),
    path("warnings/", include("linli.earlywarning.urls")),
    path("surveys/", include("linli.surveys.urls")),
    # --- dashboard (issue 16, item 1) ---
    path("dashboard/", include("linli.dashboard.urls")),
    # --- work reports (issue 16) ---
    path("reports/", include("linli.reports.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("open311/v2/", include("linli.requests.open311_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # Readiness for deploy scripts and load balancers (linli/core/health.py).
    path("healthz", healthz, name="healthz"),
]

# Error pages in the site's layout and language, JSON under /api/ (linli/core/views.py).
handler400 = "linli.core.views.bad_request"
handler403 = "linli.core.views.permission_denied"
handler404 = "linli.core.views.page_not_found"
handler500 = "linli.core.views.server_error"
