import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from core.errors import ApplicationError
from core.selectors import audit_entries_for
from grants import services
from grants.models import Application, ApplicationStatus, Call
from tests.grants.applying import complete_application, draft_application, make_applicant, open_call


@pytest.mark.django_db
def test_submitting_a_complete_application_numbers_freezes_audits_and_confirms_it(
    mailoutbox, django_capture_on_commit_callbacks
):
    application = complete_application()
    year = timezone.localdate().year
    with django_capture_on_commit_callbacks(execute=True):
        submitted = services.application_submit(actor=application.applicant, application=application, declaration=True)
    assert submitted.status == ApplicationStatus.SUBMITTED
    assert submitted.reference == f"AKT-CE-{year}-0001"
    assert [q["key"] for q in submitted.frozen_questions] == ["summary"]
    assert submitted.submitted_snapshot["project"]["municipality"] == "gracanica"
    entry = audit_entries_for(target=submitted).get(action="grants.application.submitted")
    assert (entry.from_status, entry.to_status, entry.actor) == ("draft", "submitted", application.applicant)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert submitted.reference in message.subject
    assert message.attachments[0][0] == f"{submitted.reference}.pdf"
    assert message.attachments[0][1].startswith(b"%PDF")


@pytest.mark.django_db
def test_the_confirmation_is_in_the_applicants_language(mailoutbox, django_capture_on_commit_callbacks):
    user = make_applicant(language="sr")
    application = complete_application(user=user)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(actor=user, application=application, declaration=True)
    message = mailoutbox[0]
    assert message.subject.startswith("[AKT-LS] Пријава AKT-CE-")
    assert message.body.startswith("Поштовани/а Arta,")


@pytest.mark.django_db
def test_an_incomplete_application_lists_exactly_what_is_missing_and_stays_a_draft():
    application = draft_application()
    with pytest.raises(ApplicationError) as error:
        services.application_submit(actor=application.applicant, application=application, declaration=True)
    missing = error.value.extra["missing"]
    sections = {section for section, _message in missing}
    assert sections == {"project", "questions", "budget", "documents"}
    messages = [message for _section, message in missing]
    assert "Fill in the project title." in messages
    assert "Add at least one budget line." in messages
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    assert application.reference is None


@pytest.mark.django_db
def test_after_the_deadline_submission_is_refused_and_the_draft_kept_untouched():
    application = complete_application()
    Call.objects.filter(pk=application.call_id).update(closes_at=timezone.now() - datetime.timedelta(minutes=1))
    before = Application.objects.values().get(pk=application.pk)
    with pytest.raises(ApplicationError) as error:
        services.application_submit(actor=application.applicant, application=application, declaration=True)
    assert error.value.code == "deadline_passed"
    assert "your draft is kept" in error.value.message
    assert Application.objects.values().get(pk=application.pk) == before


@pytest.mark.django_db
def test_submitting_twice_gives_one_submission(mailoutbox, django_capture_on_commit_callbacks):
    application = complete_application()
    with django_capture_on_commit_callbacks(execute=True):
        first = services.application_submit(actor=application.applicant, application=application, declaration=True)
        second = services.application_submit(actor=application.applicant, application=application, declaration=True)
    assert first.reference == second.reference
    assert audit_entries_for(target=first).filter(action="grants.application.submitted").count() == 1
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_references_count_per_component_and_year_without_gaps():
    call = open_call()
    business_call = open_call(
        component="business_development", code="BD-2027-01", eligible_applicant_types=["startup", "informal_group"]
    )
    references = []
    for target in (call, call, business_call, call):
        application = complete_application(call=target)
        references.append(
            services.application_submit(
                actor=application.applicant, application=application, declaration=True
            ).reference
        )
    year = timezone.localdate().year
    assert references == [f"AKT-CE-{year}-0001", f"AKT-CE-{year}-0002", f"AKT-BD-{year}-0001", f"AKT-CE-{year}-0003"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_submits_get_distinct_gapless_references():
    call = open_call()
    applications = [complete_application(call=call) for _ in range(6)]
    barrier = threading.Barrier(len(applications))
    results, errors = [], []

    def submit(application):
        try:
            barrier.wait(timeout=10)
            submitted = services.application_submit(
                actor=application.applicant, application=application, declaration=True
            )
            results.append(submitted.reference)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(a,)) for a in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    year = timezone.localdate().year
    assert sorted(results) == [f"AKT-CE-{year}-{n:04d}" for n in range(1, 7)]


@pytest.mark.django_db
def test_questions_are_frozen_at_submission_so_editing_the_live_call_changes_nothing():
    application = complete_application()
    submitted = services.application_submit(actor=application.applicant, application=application, declaration=True)
    question = submitted.call.questions.get()
    question.label_en = "A completely different question"
    question.save()
    submitted.refresh_from_db()
    assert submitted.frozen_questions[0]["label"]["en"] == "Project summary"


@pytest.mark.django_db
def test_the_applicant_withdraws_before_a_decision_and_cannot_edit_after_submission():
    application = complete_application()
    submitted = services.application_submit(actor=application.applicant, application=application, declaration=True)
    with pytest.raises(ApplicationError):
        services.application_answers_save(
            actor=application.applicant, application=submitted, version=submitted.version, answers={"summary": "x"}
        )
    withdrawn = services.application_withdraw(actor=application.applicant, application=submitted, reason="No time")
    assert withdrawn.status == ApplicationStatus.WITHDRAWN
    assert audit_entries_for(target=withdrawn).get(action="grants.application.withdrawn").comment == "No time"


@pytest.mark.django_db
def test_only_the_applicant_may_submit():
    application = complete_application()
    with pytest.raises(ApplicationError):
        services.application_submit(actor=make_applicant(), application=application, declaration=True)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
