"""Settings come from the environment: embedded defaults without it, real services with it."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, django; from django.conf import settings; django.setup();"
    "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'],"
    " 'name': str(settings.DATABASES['default']['NAME']),"
    " 'eager': settings.CELERY_TASK_ALWAYS_EAGER, 'broker': settings.CELERY_BROKER_URL,"
    " 'email': settings.EMAIL_BACKEND, 'debug': settings.DEBUG, 'cache': settings.CACHES['default']['BACKEND'],"
    " 'require_2fa': settings.STAFF_REQUIRE_2FA,"
    " 'health_checks': settings.DATABASES['default'].get('CONN_HEALTH_CHECKS')}))"
)
SERVICE_VARIABLES = (
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CACHE_URL",
    "EMAIL_URL",
    "DEBUG",
    "SECRET_KEY",
    "STAFF_REQUIRE_2FA",
    "ALLOWED_HOSTS",
)


def _settings_with(**variables):
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES}
    env.update(variables, DJANGO_SETTINGS_MODULE="akt_ls.settings")
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_without_environment_the_site_uses_sqlite_eager_celery_and_console_email():
    found = _settings_with()
    assert found["engine"] == "django.db.backends.sqlite3"
    assert found["name"] == str(ROOT / "db.sqlite3")
    assert found["eager"] is True
    assert found["broker"] == ""
    assert found["email"] == "django.core.mail.backends.console.EmailBackend"
    assert found["debug"] is True


def test_with_environment_the_site_uses_postgresql_and_redis():
    found = _settings_with(
        DATABASE_URL="postgres://akt:secret@db.internal:5432/akt_ls",
        CELERY_BROKER_URL="redis://redis.internal:6379/0",
        CACHE_URL="redis://redis.internal:6379/1",
    )
    assert found["engine"] == "django.db.backends.postgresql"
    assert found["name"] == "akt_ls"
    assert found["health_checks"] is True
    assert found["eager"] is False
    assert found["broker"] == "redis://redis.internal:6379/0"
    assert found["cache"] == "django.core.cache.backends.redis.RedisCache"


def test_production_requires_a_secret_key_and_turns_two_factor_on():
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES}
    env.update(DEBUG="false", DJANGO_SETTINGS_MODULE="akt_ls.settings")
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr
    found = _settings_with(DEBUG="false", SECRET_KEY="x" * 60, ALLOWED_HOSTS="grants.example.org")
    assert found["require_2fa"] is True
    assert found["debug"] is False
