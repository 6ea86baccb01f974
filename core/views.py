from django.conf import settings
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from akt_ls.celery import app as celery_app


def _check_database():
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means the site cannot serve: report it, do not raise
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True}


def _check_broker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"ok": True, "mode": "eager"}
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True}


def _check_worker(broker_ok):
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"ok": True, "mode": "eager"}
    if not broker_ok:
        return {"ok": False, "error": "broker unreachable"}
    try:
        replies = celery_app.control.ping(timeout=1.0)
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": bool(replies), "workers": len(replies)}


@never_cache
@require_GET
def healthz(request):
    """State of the database, the broker and the Celery workers, as JSON.

    Answers 503 only when the database is unreachable: without a broker or worker the site still
    serves pages and keeps notifications in its outbox, so it stays in the load balancer.
    """
    database = _check_database()
    broker = _check_broker()
    worker = _check_worker(broker["ok"])
    if not database["ok"]:
        state, http_status = "down", 503
    elif not (broker["ok"] and worker["ok"]):
        state, http_status = "degraded", 200
    else:
        state, http_status = "ok", 200
    body = {"status": state, "database": database, "broker": broker, "worker": worker}
    return JsonResponse(body, status=http_status)
