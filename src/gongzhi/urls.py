from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from gongzhi.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("gongzhi.ops.urls")),  # /healthz, /readyz (before web: it had a plain /healthz)
    path("", include("gongzhi.web.urls")),
    path("org/", include("gongzhi.org.urls")),
    path("people/", include("gongzhi.people.urls")),
    path("privacy/", include("gongzhi.privacy.urls")),
    path("notifications/", include("gongzhi.notifications.urls")),
    path("activities/", include("gongzhi.activities.urls")),
    path("hours/", include("gongzhi.hours.urls")),
    path("recognition/", include("gongzhi.recognition.urls")),
    path("training/", include("gongzhi.training.urls")),
    path("reports/", include("gongzhi.reports.urls")),
    path("points/", include("gongzhi.points.urls")),
    path("supermarket/", include("gongzhi.supermarket.urls")),
    path("appeals/", include("gongzhi.appeals.urls")),
    path("open311/v2/", include("gongzhi.open311.urls")),
    path("matching/", include("gongzhi.matching.urls")),
    path("dispatch/", include("gongzhi.dispatch.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)


handler404 = "gongzhi.web.views.page_not_found"
handler500 = "gongzhi.web.views.server_error"
