import time

import pytest
from django.conf import settings
from django.db import connections

pytestmark = pytest.mark.real_worker


@pytest.mark.django_db
def test_health_reports_the_database_broker_and_worker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == {"ok": True}
    if settings.CELERY_TASK_ALWAYS_EAGER:
        assert body["broker"] == {"ok": True, "mode": "eager"}
        assert body["worker"] == {"ok": True, "mode": "eager"}
        assert body["status"] == "ok"
    else:
        assert body["broker"] == {"ok": True}
        # Whether a worker runs or not, the page stays up and says which.
        assert body["status"] == ("ok" if body["worker"]["ok"] else "degraded")


@pytest.fixture
def broken_database():
    """Point the default connection at a database that cannot be reached, then restore it."""
    connection = connections["default"]
    original = dict(connection.settings_dict)
    # Django never closes an in-memory SQLite test database (that would destroy it), so set the
    # live connection aside instead and put it back afterwards.
    kept = connection.connection if connection.vendor == "sqlite" else None
    if kept is not None:
        connection.connection = None
        connection.settings_dict["NAME"] = "/nonexistent-folder/akt-ls.sqlite3"
    else:
        connection.close()
        connection.settings_dict.update({"HOST": "127.0.0.1", "PORT": "1"})
    yield
    connection.settings_dict.clear()
    connection.settings_dict.update(original)
    if kept is not None:
        connection.connection = kept
    else:
        connection.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_health_answers_503_when_the_database_is_unreachable(client, broken_database):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["database"]["ok"] is False


@pytest.mark.django_db
def test_health_sees_a_running_celery_worker(client, celery_worker_process):
    deadline = time.monotonic() + 60
    body = client.get("/healthz").json()
    while not (body["worker"]["ok"]) and time.monotonic() < deadline:
        time.sleep(1)
        body = client.get("/healthz").json()
    assert body["worker"]["ok"] is True
    assert body["status"] == "ok"
    if celery_worker_process is not None:
        assert body["worker"]["workers"] >= 1
