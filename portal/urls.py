from pathlib import Path

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from portal import account_views, export_views, health, inbox_views, signin_views, views

account_urls = [
    path("disable/", account_views.account_disable, name="account_disable"),
    path("enable/", account_views.account_enable, name="account_enable"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("staff/", views.staff_home, name="staff_home"),
    path("staff/areas/", views.area_detail, name="my_area"),
    path("staff/areas/<area_code:code>/", views.area_detail, name="area_detail"),
    path("staff/inbox/", inbox_views.inbox, name="inbox"),
    path("staff/inbox/<int:pk>/read/", inbox_views.inbox_read, name="inbox_read"),
    path("staff/inbox/read-all/", inbox_views.inbox_read_all, name="inbox_read_all"),
    path("staff/exports/<int:pk>/", export_views.job, name="export_job"),
    path("staff/exports/<int:pk>/download/", export_views.download, name="export_download"),
    path("staff/exports/<int:pk>/again/", export_views.again, name="export_again"),
    path("staff/audit-log/", views.audit_log, name="audit_log"),
    path("staff/audit-log/export/", views.audit_log_export, name="audit_log_export"),
    path("staff/accounts/", account_views.account_list, name="accounts"),
    path("staff/accounts/review/", account_views.account_review, name="account_review"),
    path("staff/accounts/<int:pk>/", include(account_urls)),
    path("accounts/login/", views.StaffLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/code/", signin_views.second_factor_view, name="second_factor"),
    path("accounts/code/text/", signin_views.second_factor_text, name="second_factor_text"),
    path("accounts/authenticator/", signin_views.second_factor_enrol, name="second_factor_enrol"),
    path("accounts/password/", signin_views.password_change, name="password_change"),
    path("", include("registry.urls")),
    path("", include("stations.urls")),
    path("", include("points.urls")),
    path("", include("feedback.urls")),
    path("", include("dashboard.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    # The public uploads on the local disk, as nginx serves them in production; private ones
    # (feedback/, imports/) only through the views that check who asks, on a laptop too.
    for folder in ("stations/", "rewards/", "qr/"):
        urlpatterns += static(
            f"{settings.MEDIA_URL}{folder}", document_root=Path(settings.MEDIA_ROOT) / folder
        )
