"""Staff pages of trainings (/<lang>/staff/trainings/…): events, courses, sessions, enrolment and attendance.

Thin views: parse input, call a service, turn a refusal into a message on the same form with what was typed.
Everything answers 404 to people whose role does not work with trainings.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from accounts.models import Person
from core.errors import ApplicationError
from core.permissions import PermissionRequiredMixin
from trainings import services
from trainings.certificates import is_stuck
from trainings.forms import (
    CourseForm,
    EventFilterForm,
    EventForm,
    NewParticipantForm,
    PersonSearchForm,
    ScoresForm,
    SessionForm,
)
from trainings.models import Course, Enrolment, Session, TrainingEvent
from trainings.permissions import can_manage_trainings, can_view_participant_personal_data, can_view_trainings
from trainings.selectors import (
    attendance_percent,
    attendance_sheet,
    clean_filters,
    enrolments_with_attendance,
    event_demographics,
    event_for_page,
    events_for_user,
    people_to_enrol,
)

PER_PAGE = 25


def add_service_error(form, error):
    """A refusal of a service shown on the form, which keeps what was typed."""
    if isinstance(error, ApplicationError):
        form.add_error(None, error.message)
    elif hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _form_page(request, *, form, title, back, event=None, status=200):
    context = {"form": form, "title": title, "back_url": reverse(back[0], args=back[1]), "event": event}
    return render(request, "trainings/training_form.html", context, status=status)


class EventListView(PermissionRequiredMixin, View):
    """Events filtered in SQL and paged; rows and their counts cost the same on every page."""

    permission = staticmethod(can_view_trainings)

    def get(self, request):
        filters = clean_filters(request.GET)
        events = events_for_user(user=request.user, filters=filters)
        page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
        context = {
            "filter_form": EventFilterForm(initial=filters),
            "page_obj": page,
            "events": page.object_list,
            "is_filtered": any(filters.values()),
            "query": urlencode([(key, value) for key, value in filters.items() if value]),
            "may_manage": can_manage_trainings(request.user),
        }
        return render(request, "trainings/event_list.html", context)


class EventDetailView(PermissionRequiredMixin, View):
    permission = staticmethod(can_view_trainings)

    def get(self, request, pk):
        event = event_for_page(user=request.user, pk=pk)
        if event is None:
            raise Http404
        sessions = list(event.sessions.all())
        enrolments = list(enrolments_with_attendance(event))
        for enrolment in enrolments:
            enrolment.attendance_percent = attendance_percent(enrolment.attended, len(sessions))
            enrolment.certificate_row = enrolment.certificate if hasattr(enrolment, "certificate") else None
            enrolment.certificate_stuck = enrolment.certificate_row is not None and is_stuck(enrolment.certificate_row)
        context = {
            "event": event,
            "sessions": sessions,
            "enrolments": enrolments,
            "completed_count": sum(1 for e in enrolments if e.completed),
            "demographics": event_demographics(event),
            "trainer_users": list(event.trainer_users.all()),
            "may_manage": can_manage_trainings(request.user),
            "may_see_people": can_view_participant_personal_data(request.user),
        }
        return render(request, "trainings/event_detail.html", context)


class ManageView(PermissionRequiredMixin, View):
    permission = staticmethod(can_manage_trainings)

    def get_event(self):
        return get_object_or_404(TrainingEvent.objects.select_related("course", "municipality"), pk=self.kwargs["pk"])


class EventCreateView(ManageView):
    def get(self, request):
        return self.page(EventForm())

    def post(self, request):
        form = EventForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            trainers = data.pop("trainer_users", None)
            try:
                event = services.event_create(actor=request.user, data=data, trainer_users=trainers)
            except (ApplicationError, ValidationError) as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The training event was recorded."))
                return redirect("staff:training_event_detail", pk=event.pk)
        return self.page(form, status=400)

    def page(self, form, status=200):
        back = ("staff:training_events", ())
        return _form_page(self.request, form=form, title=_("New training event"), back=back, status=status)


class EventEditView(ManageView):
    def get(self, request, pk):
        event = self.get_event()
        return self.page(event, EventForm(instance=event))

    def post(self, request, pk):
        event = self.get_event()
        form = EventForm(request.POST, instance=TrainingEvent.objects.get(pk=pk))
        if form.is_valid():
            data = dict(form.cleaned_data)
            trainers = data.pop("trainer_users", None)
            try:
                services.event_update(actor=request.user, event=event, data=data, trainer_users=trainers)
            except (ApplicationError, ValidationError) as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The training event was saved."))
                return redirect("staff:training_event_detail", pk=event.pk)
        return self.page(event, form, status=400)

    def page(self, event, form, status=200):
        back = ("staff:training_event_detail", (event.pk,))
        title = _("Change the training event")
        return _form_page(self.request, form=form, title=title, back=back, event=event, status=status)


class EventStatusView(ManageView):
    """One POST per lifecycle step: open for enrolment, compute completion (→ held), close."""

    def post(self, request, pk, action):
        event = self.get_event()
        try:
            if action == "open":
                services.event_open(actor=request.user, event=event)
                messages.success(request, _("Enrolment is open."))
            elif action in ("complete", "close"):
                completed = services.event_complete(actor=request.user, event=event, close=action == "close")
                messages.success(
                    request, _("Completion computed: %(count)s participants completed.") % {"count": completed}
                )
            else:
                raise Http404
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect("staff:training_event_detail", pk=event.pk)


class SessionCreateView(ManageView):
    def get(self, request, pk):
        event = self.get_event()
        return self.page(event, SessionForm(initial={"date": event.start_date}))

    def post(self, request, pk):
        event = self.get_event()
        form = SessionForm(request.POST)
        if form.is_valid():
            try:
                services.session_create(actor=request.user, event=event, data=form.cleaned_data)
            except (ApplicationError, ValidationError) as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The session was added."))
                return redirect("staff:training_event_detail", pk=event.pk)
        return self.page(event, form, status=400)

    def page(self, event, form, status=200):
        back = ("staff:training_event_detail", (event.pk,))
        return _form_page(self.request, form=form, title=_("Add a session"), back=back, event=event, status=status)


class SessionEditView(ManageView):
    """Change a session's date, times or topic; its page also offers to delete it while no attendance is recorded."""

    def get_session(self):
        return get_object_or_404(
            Session.objects.select_related("event__course", "event__municipality"),
            pk=self.kwargs["session_pk"],
            event_id=self.kwargs["pk"],
        )

    def get(self, request, pk, session_pk):
        session = self.get_session()
        return self.page(session, SessionForm(instance=session))

    def post(self, request, pk, session_pk):
        session = self.get_session()
        form = SessionForm(request.POST, instance=Session.objects.select_related("event").get(pk=session.pk))
        if form.is_valid():
            try:
                services.session_update(actor=request.user, session=session, data=form.cleaned_data)
            except (ApplicationError, ValidationError) as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The session was saved."))
                return redirect("staff:training_event_detail", pk=session.event_id)
        return self.page(session, form, status=400)

    def page(self, session, form, status=200):
        context = {
            "form": form,
            "session": session,
            "event": session.event,
            "title": _("Change the session"),
            "has_attendance": session.attendance.exists(),
        }
        return render(self.request, "trainings/session_form.html", context, status=status)


class SessionDeleteView(ManageView):
    def post(self, request, pk, session_pk):
        event = self.get_event()
        session = Session.objects.filter(pk=session_pk, event=event).first()
        if session is None:
            messages.info(request, _("This session was deleted already; nothing was done again."))
            return redirect("staff:training_event_detail", pk=event.pk)
        try:
            services.session_delete(actor=request.user, session=session)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("staff:training_session_edit", pk=event.pk, session_pk=session.pk)
        messages.success(
            request, _("The session of %(date)s was deleted.") % {"date": session.date.strftime("%d.%m.%Y")}
        )
        return redirect("staff:training_event_detail", pk=event.pk)


class AttendanceView(ManageView):
    """The tick-list of one session: every enrolled participant, one big checkbox each, saved in one POST."""

    def get_session(self):
        return get_object_or_404(
            Session.objects.select_related("event__course", "event__municipality"),
            pk=self.kwargs["session_pk"],
            event_id=self.kwargs["pk"],
        )

    def get(self, request, pk, session_pk):
        session = self.get_session()
        return self.page(session, attendance_sheet(session))

    def post(self, request, pk, session_pk):
        session = self.get_session()
        ticked = [value for value in request.POST.getlist("present") if value.isdigit()]
        try:
            count = services.attendance_record(actor=request.user, session=session, present_enrolment_ids=ticked)
        except ApplicationError as error:
            rows = [(enrolment, str(enrolment.pk) in ticked) for enrolment, _was in attendance_sheet(session)]
            return self.page(session, rows, error=error.message, status=400)
        messages.success(request, _("Attendance saved: %(count)s present.") % {"count": count})
        return redirect("staff:training_event_detail", pk=session.event_id)

    def page(self, session, rows, *, error="", status=200):
        context = {"session": session, "event": session.event, "rows": rows, "error": error}
        return render(self.request, "trainings/attendance_form.html", context, status=status)


class EnrolView(ManageView):
    """Find an existing person by name (folded key: any script, with or without diacritics) and enrol them."""

    def get(self, request, pk):
        event = self.get_event()
        form = PersonSearchForm(request.GET or None)
        q = form.cleaned_data["q"] if form.is_valid() else ""
        return self.page(event, form, q)

    def post(self, request, pk):
        event = self.get_event()
        person = get_object_or_404(
            Person, pk=request.POST.get("person") if request.POST.get("person", "").isdigit() else 0
        )
        try:
            services.enrolment_create(actor=request.user, event=event, person=person)
        except ApplicationError as error:
            messages.error(request, error.message)
            return self.page(
                event, PersonSearchForm(initial={"q": request.POST.get("q", "")}), request.POST.get("q", ""), 400
            )
        messages.success(request, _("%(name)s is enrolled.") % {"name": person})
        return redirect("staff:training_event_detail", pk=event.pk)

    def page(self, event, form, q, status=200):
        context = {"event": event, "form": form, "q": q, "results": people_to_enrol(event=event, q=q)}
        return render(self.request, "trainings/enrolment_search.html", context, status=status)


class RegisterView(ManageView):
    """Register a new participant on the spot; likely duplicates are shown first, to enrol instead."""

    def get(self, request, pk):
        return self.page(self.get_event(), NewParticipantForm(initial={"first_name": request.GET.get("q", "")}))

    def post(self, request, pk):
        event = self.get_event()
        form = NewParticipantForm(request.POST)
        candidates = []
        if form.is_valid():
            data = dict(form.cleaned_data)
            none_of_these = data.pop("none_of_these", False)
            try:
                result = services.person_register_and_enrol(
                    actor=request.user, event=event, data=data, none_of_these=none_of_these
                )
            except (ApplicationError, ValidationError) as error:
                add_service_error(form, error)
            else:
                if result.enrolment is not None:
                    messages.success(
                        request, _("%(name)s is registered and enrolled.") % {"name": result.enrolment.person}
                    )
                    return redirect("staff:training_event_detail", pk=event.pk)
                candidates = result.candidates
                form.offer_none_of_these()
        return self.page(event, form, candidates=candidates, status=400)

    def page(self, event, form, *, candidates=(), status=200):
        context = {"event": event, "form": form, "candidates": candidates}
        return render(self.request, "trainings/participant_register.html", context, status=status)


class ScoresView(ManageView):
    def get_enrolment(self):
        return get_object_or_404(
            Enrolment.objects.select_related("person", "event__course", "event__municipality"),
            pk=self.kwargs["enrolment_pk"],
            event_id=self.kwargs["pk"],
        )

    def get(self, request, pk, enrolment_pk):
        enrolment = self.get_enrolment()
        initial = {"pre_test_score": enrolment.pre_test_score, "post_test_score": enrolment.post_test_score}
        return self.page(enrolment, ScoresForm(initial=initial))

    def post(self, request, pk, enrolment_pk):
        enrolment = self.get_enrolment()
        form = ScoresForm(request.POST)
        if form.is_valid():
            try:
                services.enrolment_scores(actor=request.user, enrolment=enrolment, **form.cleaned_data)
            except (ApplicationError, ValidationError) as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The scores were saved."))
                return redirect("staff:training_event_detail", pk=pk)
        return self.page(enrolment, form, status=400)

    def page(self, enrolment, form, status=200):
        title = _("Test scores of %(name)s") % {"name": enrolment.person}
        back = ("staff:training_event_detail", (enrolment.event_id,))
        return _form_page(self.request, form=form, title=title, back=back, event=enrolment.event, status=status)


class CourseListView(PermissionRequiredMixin, View):
    permission = staticmethod(can_view_trainings)

    def get(self, request):
        from django.db.models import Count

        courses = Course.objects.annotate(event_count=Count("events")).order_by("title_sq", "id")
        context = {"courses": courses, "may_manage": can_manage_trainings(request.user)}
        return render(request, "trainings/course_list.html", context)


class CourseFormView(ManageView):
    def get_course(self):
        pk = self.kwargs.get("pk")
        return get_object_or_404(Course, pk=pk) if pk else None

    def get(self, request, pk=None):
        course = self.get_course()
        return self.page(CourseForm(instance=course), course)

    def post(self, request, pk=None):
        course = self.get_course()
        form = CourseForm(request.POST, instance=Course.objects.get(pk=pk) if pk else None)
        if form.is_valid():
            try:
                if course is None:
                    services.course_create(actor=request.user, data=form.cleaned_data)
                else:
                    services.course_update(actor=request.user, course=course, data=form.cleaned_data)
            except (ApplicationError, ValidationError) as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The course was saved."))
                return redirect("staff:training_courses")
        return self.page(form, course, status=400)

    def page(self, form, course, status=200):
        title = _("New course") if course is None else _("Change the course")
        return _form_page(self.request, form=form, title=title, back=("staff:training_courses", ()), status=status)
