from allauth.account.decorators import secure_admin_login
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from akt_ls.views import HomeView
from core import views as core_views

# The admin site logs in through allauth, so its rate limits and two-factor step apply there too.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]

urlpatterns += i18n_patterns(
    path("", HomeView.as_view(), name="home"),
    path("accounts/", include("allauth.urls")),
    path("staff/", include(("akt_ls.staff_urls", "staff"))),
    path("calls/", include("grants.urls.public")),
    path("my/", include("grants.urls.applicant")),
    path("my/grants/", include("grants.urls.my_grants")),
    path("review/", include("grants.urls.review")),
    path("certificates/", include("trainings.urls_public")),
    path("", include("accounts.urls")),
    prefix_default_language=True,
)
