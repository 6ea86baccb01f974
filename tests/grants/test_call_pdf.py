import shutil
import subprocess

import pytest
from django.core.files.storage import default_storage

from akt_ls.celery import app as celery_app
from grants import call_pdfs
from grants.call_pdfs import call_pdf_name, queue_call_pdfs, render_call_pdf
from tests.grants.factories import CallCriterionFactory, CallDocumentFactory, CallFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager_celery():
    """Tasks run in the test's process, as in the development default, even when CI configures a broker."""
    conf = celery_app.conf
    before = (conf.task_always_eager, conf.task_eager_propagates)
    conf.task_always_eager, conf.task_eager_propagates = True, True
    yield
    conf.task_always_eager, conf.task_eager_propagates = before


@pytest.fixture
def queued(monkeypatch):
    """Record what would be queued, as with a real broker whose worker has not run yet."""
    calls = []
    monkeypatch.setattr(render_call_pdf, "delay", lambda *args: calls.append(args))
    return calls


def _pdf_text(pdf, tmp_path):
    assert shutil.which("pdftotext"), "pdftotext is missing: install poppler-utils (apt-get install poppler-utils)"
    path = tmp_path / "call.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _download(client, url):
    response = client.get(url, follow=True)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    return response, b"".join(response.streaming_content)


def _files_of(call):
    _dirs, files = default_storage.listdir(call_pdfs.call_pdf_folder(call))
    return sorted(files)


def test_the_english_pdf_carries_the_call_in_english_with_header_and_page_numbers(client, eager_celery, tmp_path):
    call = CallFactory(open=True, with_form=True, title_en="Small infrastructure for communities")
    CallDocumentFactory(call=call, name_en="Budget table", required=False, allowed_types=["xlsx", "pdf"])
    CallCriterionFactory(call=call, name_en="Benefit to several communities", weight="2.50", max_score=20)
    response, pdf = _download(client, f"/en/calls/{call.code}/pdf/")
    assert response.redirect_chain == [(f"/en/calls/{call.code}/pdf/", 302)]
    assert response["Content-Disposition"] == f'attachment; filename="{call.code}-en.pdf"'
    assert pdf.startswith(b"%PDF")
    text = _pdf_text(pdf, tmp_path)
    for expected in [
        "Small infrastructure for communities",
        call.code,
        "Civic Engagement",
        "1,000.00 – 10,000.00 EUR",
        "The full text of the call.",
        "Budget table",
        "Excel (XLSX)",
        "Benefit to several communities",
        "Graçanicë",
        "Advancing Kosovo Together",
        "Page 1 / ",
    ]:
        assert expected in text, expected


def test_the_cyrillic_pdf_carries_the_transliterated_title(client, eager_celery, tmp_path):
    call = CallFactory(open=True, with_form=True, title_sr="Poziv za lokalne inicijative", title_sr_cyrl="")
    response, pdf = _download(client, f"/sr/calls/{call.code}/pdf/")
    assert response["Content-Disposition"] == f'attachment; filename="{call.code}-sr.pdf"'
    text = _pdf_text(pdf, tmp_path)
    assert "Позив за локалне иницијативе" in text
    assert "Грачаница" in text
    assert "Страна 1 / " in text


def test_a_ready_pdf_is_served_at_once_without_queueing_again(client, eager_celery, queued):
    call = CallFactory(open=True)
    render_call_pdf(call.pk, "en")
    response = client.get(f"/en/calls/{call.code}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert queued == []


def test_without_an_eager_worker_the_pdf_is_queued_once_and_the_page_waits(client, queued):
    call = CallFactory(open=True)
    for _ in range(3):
        response = client.get(f"/en/calls/{call.code}/pdf/")
        assert response.status_code == 202
        html = response.content.decode()
        assert '<meta http-equiv="refresh" content="3">' in html
        assert "The PDF is being prepared; this page reloads in a few seconds." in html
    assert queued == [(call.pk, "en")]
    assert not default_storage.exists(call_pdf_name(call, "en"))

    render_call_pdf(*queued[0])  # the worker runs
    response = client.get(f"/en/calls/{call.code}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_editing_the_call_gives_a_new_file_and_removes_the_old_one(client, eager_celery, tmp_path):
    call = CallFactory(open=True, title_en="First title")
    _download(client, f"/en/calls/{call.code}/pdf/")
    first_name = call_pdf_name(call, "en")

    call.title_en = "Second title"
    call.save()
    second_name = call_pdf_name(call, "en")
    assert second_name != first_name
    _response, pdf = _download(client, f"/en/calls/{call.code}/pdf/")
    assert "Second title" in _pdf_text(pdf, tmp_path)
    assert default_storage.exists(second_name)
    assert not default_storage.exists(first_name)


def test_the_task_run_twice_does_not_fail_and_leaves_one_file(eager_celery):
    call = CallFactory(open=True)
    first = render_call_pdf(call.pk, "sr-latn")
    second = render_call_pdf(call.pk, "sr-latn")
    assert first == second == call_pdf_name(call, "sr-latn")
    assert _files_of(call) == [first.rsplit("/", 1)[1]]


def test_each_language_keeps_its_own_file(eager_celery):
    call = CallFactory(open=True)
    for language in ["sr-latn", "sr"]:  # "sr" comes second: its clean-up must not take "sr-latn" for its own
        render_call_pdf(call.pk, language)
    assert [name.rsplit("-", 1)[0] for name in _files_of(call)] == ["sr", "sr-latn"]


def test_a_draft_call_has_no_pdf(client, eager_celery, queued):
    call = CallFactory(title_en="A secret draft")
    assert client.get(f"/en/calls/{call.code}/pdf/").status_code == 404
    assert queued == []
    assert render_call_pdf(call.pk, "en") is None
    assert not default_storage.exists(call_pdf_name(call, "en"))


def test_the_task_refuses_an_unknown_language_and_a_missing_call():
    call = CallFactory(open=True)
    assert render_call_pdf(call.pk, "../../etc") is None
    assert render_call_pdf(call.pk + 1000, "en") is None


def test_publishing_can_queue_the_pdf_in_all_four_languages_after_commit(queued, django_capture_on_commit_callbacks):
    call = CallFactory(open=True)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        queue_call_pdfs(call)
        assert queued == []  # nothing leaves before the transaction commits
    assert len(callbacks) == 4
    assert sorted(queued) == sorted([(call.pk, "sq"), (call.pk, "sr-latn"), (call.pk, "sr"), (call.pk, "en")])


def test_a_half_written_file_is_never_served(client, eager_celery, monkeypatch):
    call = CallFactory(open=True)

    def fail_while_moving(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(call_pdfs.os, "replace", fail_while_moving)
    with pytest.raises(OSError, match="disk full"):
        render_call_pdf(call.pk, "en")
    assert not default_storage.exists(call_pdf_name(call, "en"))
    assert _files_of(call) == []  # nor is its part left behind
