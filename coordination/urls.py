"""The site's routes: every room's HTML pages and its part of /api/v1/, in one place."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from coordination.api.views import LogoutAllView, LogoutView, ObtainTokenView
from coordination.dashboard import views as dashboard_views

admin.site.site_header = gettext_lazy("协同中心")
admin.site.site_title = gettext_lazy("协同中心")
admin.site.index_title = gettext_lazy("协同中心")

# /api/v1/: earlier routes win, so fixed segments ("bulk") come before their <str:…> siblings.
api_v1 = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("auth/logout/", LogoutView.as_view(), name="api-logout"),
    path("auth/logout-all/", LogoutAllView.as_view(), name="api-logout-all"),
    path("", include("projects.api.urls")),
    path("", include("projects.presales.api_urls")),
    path("", include("projects.changes.api_urls")),
    path("", include("projects.tasks.api_urls")),
    path("", include("projects.documents.api_urls")),
    path("", include("projects.payments.api_urls")),
    path("", include("projects.warning.api_urls")),
    path("", include("projects.requirements.api_urls")),
    path("", include("handover.api_urls")),
    path("", include("coordination.reviews.api_urls")),
    path("", include("coordination.lessons.api_urls")),
    path("", include("coordination.training.api_urls")),
    path("", include("coordination.rotations.api_urls")),
    path("", include("coordination.kickoff.api_urls")),
    path("", include("kpi.api_urls")),
    path("", include("kpi.surveys.api_urls")),
    path("", include("kpi.complaints.api_urls")),
    path("", include("coordination.calendars.api_urls")),
    path("", include("coordination.search.api_urls")),
    path("", include("coordination.notifications.api_urls")),
    path("", include("coordination.conversations.api_urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    # the login protection (django-axes, coordination/core/login_protection.py) guards this
    # page, the admin's own login and the token endpoint: it sits in authenticate()
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("coordination.accounts.urls")),  # passwords, second factor
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # the Swagger UI page loads its init script from api/docs/?script= (no inline script)
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("handover/", include("handover.urls")),
    path("kpi/", include("kpi.urls")),
    path("", include("kpi.surveys.urls")),  # /s/<token>/: the customer's survey, no login
    path("warning/", include("projects.warning.urls")),
    path("complaints/", include("kpi.complaints.urls")),
    path("", include("coordination.core.urls")),
    path("", include("coordination.kickoff.urls")),
    path("reviews/job-rotations/", include("coordination.rotations.urls")),
    path("reviews/", include("coordination.reviews.urls")),
    path("lessons/", include("coordination.lessons.urls")),
    path("training/", include("coordination.training.urls")),
    path("", dashboard_views.home, name="home"),
    path("", include("coordination.calendars.urls")),
    path("search/", include("coordination.search.urls")),
    path("notifications/", include("coordination.notifications.urls")),
    path("chat/", include("coordination.chat.urls")),
    path("", include("coordination.conversations.urls")),
    path("projects/", include("projects.core.urls")),
    path("customers/", include("projects.core.customer_urls")),
    path("projects/", include("projects.presales.urls")),
    path("", include("projects.changes.urls")),
    path("", include("projects.tasks.urls")),
    path("", include("projects.documents.urls")),
    path("", include("projects.payments.urls")),
    path("", include("coordination.dashboard.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
