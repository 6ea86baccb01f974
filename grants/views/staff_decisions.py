"""Selection (/<lang>/staff/selection/): the ranking of a call, the committee meeting and the decisions.

Staff who read applications see the ranking; only managers (and administrators) record meetings and decisions,
everyone else gets 404 on those pages and no decision form on the ranking.
"""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from core.errors import ApplicationError
from core.permissions import PermissionRequiredMixin
from grants.forms.decisions import BulkDecisionForm, DecisionForm, MeetingForm, RankingFilterForm
from grants.models import Application, ApplicationStatus, Call, CallStatus, CommitteeMeeting
from grants.permissions import can_record_decision, can_view_ranking
from grants.selectors_ranking import DECIDABLE_STATUSES, call_ranking
from grants.services.budget import budget_totals
from grants.services.decisions import application_decide, applications_decide_bulk, committee_meeting_record


def _call(code):
    return get_object_or_404(Call.objects.exclude(status=CallStatus.DRAFT), code=code)


class RankingView(PermissionRequiredMixin, View):
    """The ranking with its filters and shares; managers tick rows and decide them together."""

    permission = staticmethod(can_view_ranking)
    template_name = "grants/staff/ranking.html"

    def get(self, request, code):
        call = _call(code)
        return self._render(call, None)

    def post(self, request, code):
        self.check_permission(None, permission=can_record_decision)
        call = _call(code)
        filter_form, ranking = self._ranking(call)
        form = BulkDecisionForm(request.POST, call=call, rows=ranking.rows)
        if form.is_valid():
            try:
                decided = applications_decide_bulk(
                    actor=request.user, decisions=form.decisions(), meeting=form.cleaned_data["meeting"]
                )
            except ApplicationError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request,
                    _("%(count)s decisions were recorded; the applicants are notified.") % {"count": len(decided)},
                )
                return redirect(request.get_full_path())
        return self._render(call, form, status=400, filter_form=filter_form, ranking=ranking)

    def _ranking(self, call):
        filter_form = RankingFilterForm(self.request.GET or None)
        return filter_form, call_ranking(call=call, filters=filter_form.selector_filters())

    def _render(self, call, form, status=200, filter_form=None, ranking=None):
        if ranking is None:
            filter_form, ranking = self._ranking(call)
        may_decide = can_record_decision(self.request.user)
        if may_decide and form is None:
            form = BulkDecisionForm(call=call, rows=ranking.rows)
        context = {
            "call": call,
            "ranking": ranking,
            "filter_form": filter_form,
            "is_filtered": bool(filter_form.selector_filters()),
            "decision_form": form if may_decide else None,
            "row_fields": form.row_fields() if may_decide else [(row, False, None) for row in ranking.rows],
            "meetings": CommitteeMeeting.objects.filter(call=call).prefetch_related("members").order_by("-held_on"),
            "may_decide": may_decide,
            "share_tables": [
                ("group", _("Shares by programme group"), ranking.by_group),
                ("municipality", _("Shares by municipality"), ranking.by_municipality),
            ],
        }
        return render(self.request, self.template_name, context, status=status)


class MeetingCreateView(PermissionRequiredMixin, View):
    permission = staticmethod(can_record_decision)
    template_name = "grants/staff/meeting_form.html"

    def get(self, request, code):
        return render(request, self.template_name, {"call": _call(code), "form": MeetingForm()})

    def post(self, request, code):
        call = _call(code)
        form = MeetingForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                committee_meeting_record(
                    actor=request.user,
                    call=call,
                    held_on=data["held_on"],
                    members=data["members"],
                    other_members=data["other_members"],
                    minutes=data["minutes"],
                    minutes_file=data["minutes_file"] or None,
                )
            except ApplicationError as error:
                field = "minutes_file" if (error.code or "").startswith("file") else None
                form.add_error(field, error.message)
            else:
                messages.success(request, _("The committee meeting was recorded."))
                return redirect("staff:ranking", code=call.code)
        return render(request, self.template_name, {"call": call, "form": form}, status=400)


def meeting_minutes(request, pk):
    """The signed minutes, to those who may see the ranking, as an attachment."""
    if not can_view_ranking(request.user):
        raise Http404
    meeting = get_object_or_404(CommitteeMeeting, pk=pk)
    if not meeting.minutes_file:
        raise Http404
    handle = meeting.minutes_file.open("rb")
    is_pdf = handle.read(5) == b"%PDF-"
    handle.seek(0)
    extension = "pdf" if is_pdf else "docx"
    response = FileResponse(
        handle, as_attachment=True, filename=f"minutes-{meeting.call.code}-{meeting.pk}.{extension}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class DecisionApplicationView(PermissionRequiredMixin, View):
    """One application's decision; an application that cannot be decided now shows why, without a form."""

    permission = staticmethod(can_record_decision)
    template_name = "grants/staff/decision_form.html"

    def get(self, request, pk):
        application = self._application(pk)
        return self._render(application, self._form(application))

    def post(self, request, pk):
        application = self._application(pk)
        form = self._form(application, request.POST)
        if form.is_valid():
            try:
                application_decide(
                    actor=request.user,
                    application=application,
                    meeting=form.cleaned_data["meeting"],
                    approved_amount=form.cleaned_data["approved_amount"],
                    **form.decision_values(),
                )
            except ApplicationError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("The decision was recorded; the applicant is notified."))
                return redirect("staff:ranking", code=application.call.code)
        return self._render(self._application(pk), form, status=400)

    def _application(self, pk):
        application = (
            Application.objects.exclude(status=ApplicationStatus.DRAFT)
            .select_related(
                "call", "municipality", "person", "organisation", "decision__meeting", "decision__decided_by", "grant"
            )
            .prefetch_related("budget_lines")
            .filter(pk=pk)
            .first()
        )
        if application is None:
            raise Http404
        return application

    def _form(self, application, data=None):
        requested = budget_totals(application)["requested"]
        return DecisionForm(data, call=application.call, requested=requested)

    def _render(self, application, form, status=200):
        decidable = application.status in DECIDABLE_STATUSES
        context = {
            "application": application,
            "totals": budget_totals(application),
            "form": form if decidable else None,
        }
        return render(self.request, self.template_name, context, status=status)
