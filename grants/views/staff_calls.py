"""Staff pages for calls for proposals: list, create and edit (with their rows), detail, preview, publish, close.

Thin views: they parse input, call grants.services.calls and turn an ApplicationError into a message.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import ListView, TemplateView, View

from core.errors import ApplicationError
from core.permissions import PermissionRequiredMixin
from core.selectors import audit_entries_for
from grants.forms.calls import CallForm, call_row_formsets, changed_rows
from grants.models import Call, CallStatus
from grants.models.calls import CallPhase
from grants.permissions import can_export_selection_record, can_manage_calls
from grants.selectors import calls_for_staff
from grants.services.calls import call_close, call_publish, call_save_with_rows


def _call_with_rows(code):
    """A call of any status with everything its pages show (drafts too: staff prepare them)."""
    queryset = Call.objects.prefetch_related("eligible_municipalities", "documents", "questions", "criteria")
    return get_object_or_404(queryset, code=code)


def _phase_once_published(call, moment):
    """The phase an applicant sees: for a draft, the one it will have if it is published now."""
    if call.status != CallStatus.DRAFT:
        return call.phase_at(moment)
    return Call(status=CallStatus.PUBLISHED, opens_at=call.opens_at, closes_at=call.closes_at).phase_at(moment)


class StaffCallMixin(PermissionRequiredMixin):
    permission = staticmethod(can_manage_calls)


class CallListView(StaffCallMixin, ListView):
    template_name = "grants/staff/call_list.html"
    context_object_name = "calls"
    paginate_by = 25

    def get_queryset(self):
        return calls_for_staff()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        labels = dict(CallPhase.choices)
        calls = list(context["calls"])
        for call in calls:
            phase = call.phase_at(now)
            call.phase_label = labels[phase] if phase else ""
        context["calls"] = context["object_list"] = context["page_obj"].object_list = calls
        return context


class CallFormView(StaffCallMixin, TemplateView):
    """Create a call (no code in the URL) or edit one, with its documents, questions and criteria on one page."""

    template_name = "grants/staff/call_form.html"

    def get_call(self):
        code = self.kwargs.get("code")
        return Call() if code is None else get_object_or_404(Call, code=code)

    def get(self, request, *args, **kwargs):
        call = self.get_call()
        if call.status == CallStatus.CLOSED:
            messages.error(request, _("This call is closed and can no longer be changed."))
            return redirect("staff:call_detail", code=call.code)
        return self.render_to_response(self.get_context_data(call=call, form=CallForm(instance=call)))

    def post(self, request, *args, **kwargs):
        call = self.get_call()
        form = CallForm(request.POST, instance=call)
        formsets = call_row_formsets(call=call, data=request.POST)
        valid = [form.is_valid(), *(formset.is_valid() for formset in formsets.values())]
        if all(valid):
            rows, deleted_rows = changed_rows(formsets)
            try:
                call = call_save_with_rows(
                    actor=request.user,
                    call=call,
                    municipalities=form.cleaned_data["eligible_municipalities"],
                    rows=rows,
                    deleted_rows=deleted_rows,
                )
            except ApplicationError as error:
                messages.error(request, error.message)
            except ValidationError as error:  # the data changed between checking and saving
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("The call %(code)s was saved.") % {"code": call.code})
                if "continue" in request.POST:
                    return redirect("staff:call_edit", code=call.code)
                return redirect("staff:call_detail", code=call.code)
        else:
            messages.error(request, _("The call was not saved. Correct the fields marked in red below and save again."))
        return self.render_to_response(self.get_context_data(call=call, form=form, formsets=formsets))

    def get_context_data(self, *, call, form, formsets=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            call=call,
            code=self.kwargs.get("code"),  # as stored: the form may hold a changed, not yet saved one
            creating=self.kwargs.get("code") is None,
            form=form,
            formsets=formsets or call_row_formsets(call=call),
        )
        return context


class CallDetailView(StaffCallMixin, TemplateView):
    template_name = "grants/staff/call_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        call = _call_with_rows(self.kwargs["code"])
        context.update(
            call=call,
            phase=call.phase_at(timezone.now()),
            missing={
                "questions": not call.questions.all(),
                "criteria": not call.criteria.all(),
                "municipalities": not call.eligible_municipalities.all(),
            },
            timeline=audit_entries_for(target=call)[:50],
            can_export_record=can_export_selection_record(self.request.user, call),
        )
        return context


class CallPreviewView(StaffCallMixin, TemplateView):
    """A draft as applicants will see it: the public page's template, told by `preview` that it is a preview.

    A published or closed call has its real public page, so its preview leads there.
    """

    template_name = "grants/staff/call_preview.html"

    def get(self, request, *args, **kwargs):
        call = _call_with_rows(self.kwargs["code"])
        if call.status != CallStatus.DRAFT:
            return redirect("call_detail", code=call.code)
        now = timezone.now()
        return self.render_to_response(
            self.get_context_data(call=call, phase=_phase_once_published(call, now), now=now, preview=True)
        )


class CallPublishView(StaffCallMixin, View):
    http_method_names = ["post"]

    def post(self, request, code):
        call = get_object_or_404(Call, code=code)
        try:
            call_publish(actor=request.user, call=call)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The call %(code)s is published.") % {"code": call.code})
        return redirect("staff:call_detail", code=call.code)


class CallCloseView(StaffCallMixin, View):
    http_method_names = ["post"]

    def post(self, request, code):
        call = get_object_or_404(Call, code=code)
        comment = request.POST.get("comment", "").strip()[:2000]
        try:
            call_close(actor=request.user, call=call, comment=comment)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("The call %(code)s is closed: no more applications can be submitted.") % {"code": call.code}
            )
        return redirect("staff:call_detail", code=call.code)
