"""
Settings of AKT-LS Grants, read from the environment (twelve-factor).

Every variable has an embedded default that gives the zero-set-up development site of
`make run`: SQLite in the project folder, Celery tasks run eagerly in-process, e-mail printed
to the console. Production sets DEBUG=false, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL,
CELERY_BROKER_URL, CACHE_URL and EMAIL_URL (see the table in README.md).
"""

import datetime
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)

SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY: it is required when DEBUG is off.")
    SECRET_KEY = "development-only-not-secret-akt-ls-grants"  # noqa: S105 - embedded default for DEBUG only

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "simple_history",
    "core",
    "municipalities",
    "accounts",
    "businesses",
    "trainings",
    "grants",
    "municipal",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "accounts.middleware.StaffTwoFactorMiddleware",
]

ROOT_URLCONF = "akt_ls.urls"
WSGI_APPLICATION = "akt_ls.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Survive PostgreSQL restarts: persistent connections that are checked before reuse.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int("DB_CONNECT_TIMEOUT", default=5)
    # The indicators' GROUP BY queries are short; PostgreSQL's just-in-time compiler spends seconds compiling each
    # one (measured: 2.7 s of 2.9 s). Off for this application's connections.
    DATABASES["default"]["OPTIONS"]["options"] = env("DB_SESSION_OPTIONS", default="-c jit=off")
else:
    # BEGIN IMMEDIATE: concurrent writers wait for each other (up to the timeout) instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
    # Tests use a file, not memory, so that threads of one test share the database as requests do; it sits beside
    # the database file, so two checkouts (or two DATABASE_URLs) never share a test database.
    DATABASES["default"]["TEST"] = {"NAME": f"{DATABASES['default']['NAME']}.test"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits of sign-in and sign-up live here: share it between web workers) -------
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://akt-ls")}

# --- Celery -------------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
# Without a broker (the embedded default) tasks run eagerly, in the web process.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
# Kept above the hard time limit so that Redis never hands a running task to a second worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Europe/Belgrade"
# Periodic work (celery beat): sweep rows whose task died with its worker.
CELERY_BEAT_SCHEDULE = {
    "fail-stuck-exports": {"task": "grants.export_tasks.fail_stuck_exports", "schedule": 600.0},
    "fail-stuck-business-exports": {"task": "businesses.tasks.fail_stuck_business_exports", "schedule": 600.0},
    "deliver-pending-emails": {"task": "core.tasks.deliver_pending_emails", "schedule": 120.0},
    "requeue-stuck-certificates": {"task": "trainings.certificate_tasks.requeue_stuck_certificates", "schedule": 600.0},
    "remove-stale-import-sheets": {
        "task": "trainings.import_tasks.remove_stale_import_sheets",
        "schedule": crontab(hour=3, minute=15),
    },
    "requeue-stuck-report-runs": {"task": "reports.tasks.requeue_stuck_runs", "schedule": 600.0},
    "report-reminders": {"task": "grants.report_tasks.send_report_reminders", "schedule": crontab(hour=7, minute=0)},
    "sweep-orphan-files": {
        "task": "core.tasks.sweep_orphan_files",
        "schedule": crontab(day_of_week="sunday", hour=3, minute=30),
    },
}

# --- E-mail -------------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="AKT-LS Grants <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Authentication -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "start"

ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[AKT-LS] "
ACCOUNT_PRESERVE_USERNAME_CASING = False
# allauth's rate limits stay on (its defaults); they are written out here so that nobody
# switches them off by accident.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "AKT-LS Grants"
# Staff must set up two-factor authentication before any /staff/ page opens.
STAFF_REQUIRE_2FA = env.bool("STAFF_REQUIRE_2FA", default=not DEBUG)

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "sq"
LANGUAGES = [
    ("sq", _("Albanian")),
    ("sr-latn", _("Serbian (Latin)")),
    ("sr", _("Serbian (Cyrillic)")),
    ("en", _("English")),
]
# The project's own catalogues first, then those of libraries that ship none in our languages
# (Albanian for django-allauth; Albanian and Serbian for django-simple-history).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "third_party"]
TIME_ZONE = "Europe/Belgrade"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
FORMAT_MODULE_PATH = ["akt_ls.formats"]

# --- Static and uploaded files ------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media/"  # never served directly: files go out through permission-checked views
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Audit ---------------------------------------------------------------------------------------
# History is a record, not an undo button: reverting would bypass the services and their audit entries.
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- Forms --------------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security (production) ----------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    if env.bool("BEHIND_TLS_PROXY", default=True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Grant agreements (donor branding; texts are translated where they are used) --------------------
AGREEMENT_DONOR_NAME = "USAID"
AGREEMENT_PROGRAMME_NAME = "Advancing Kosovo Together – Local Solutions"
AGREEMENT_LOGO_STATIC = ""  # a path under static/ (e.g. "img/usaid-logo.png") once the donor provides the logo

# --- Indicators and donor reports (cover texts can be changed in the admin: reports.ReportBranding) ------------
# The first day of the programme: "life of programme" (cumulative) figures count from here.
PROGRAMME_START_DATE = datetime.date.fromisoformat(env("PROGRAMME_START_DATE", default="2025-10-01"))
REPORT_AGREEMENT_NUMBER = env("REPORT_AGREEMENT_NUMBER", default="")  # the cooperative agreement's number
REPORT_SUBMITTED_BY = "Community Development Fund (CDF)"
REPORT_DONOR_LINE = (
    "This report is made possible by the support of the American people through the United States Agency for "
    "International Development (USAID)."
)
REPORT_DISCLAIMER = (
    "The contents of this report are the sole responsibility of the Community Development Fund and do not "
    "necessarily reflect the views of USAID or the United States Government."
)

# --- Demo data ----------------------------------------------------------------------------------
DEMO_PASSWORD = env("DEMO_PASSWORD", default="akt-demo-2026")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # Libraries that narrate every step at INFO: keep their warnings only.
    "loggers": {
        name: {"level": "WARNING"}
        for name in ("weasyprint", "fontTools", "celery.app.trace", "django.utils.autoreload")
    },
}
