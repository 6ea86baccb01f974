"""Public pages of the calls for proposals: the list, one call, and the call's PDF."""

from django.core.files.storage import default_storage
from django.http import FileResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from core.permissions import PermissionRequiredMixin
from grants.call_pdfs import call_pdf_download_name, call_pdf_name, request_call_pdf
from grants.permissions import can_apply, can_view_call_publicly
from grants.selectors import call_public_detail, calls_public


def with_time_left(calls, now=None):
    """Give each call `time_left`, (days, hours) until its deadline: the countdown's text without JavaScript."""
    now = now or timezone.now()
    for call in calls:
        seconds = max(int((call.closes_at - now).total_seconds()), 0)
        call.time_left = (seconds // 86400, seconds % 86400 // 3600)
    return calls


class CallListView(TemplateView):
    """Every public call: open ones first, then upcoming, then closed."""

    template_name = "grants/public/call_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        calls = calls_public()
        with_time_left(calls["open"])
        context["calls"] = calls
        return context


class PublicCallMixin(PermissionRequiredMixin):
    permission = staticmethod(can_view_call_publicly)

    def get_permission_object(self):
        self.call = call_public_detail(code=self.kwargs["code"])
        return self.call


class CallDetailView(PublicCallMixin, TemplateView):
    """One call with everything an applicant needs to decide whether to apply, and the way to apply."""

    template_name = "grants/public/call_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["call"] = with_time_left([self.call])[0]
        context["user_can_apply"] = can_apply(self.request.user, self.call)
        return context


@method_decorator(never_cache, name="dispatch")
class CallPdfView(PublicCallMixin, View):
    """The call's PDF in the page's language: served when ready, otherwise queued with a page that waits."""

    def get(self, request, code):
        call, language = self.call, translation.get_language()
        response = _call_pdf_response(call, language)
        if response is not None:
            return response
        request_call_pdf(call, language)
        if default_storage.exists(call_pdf_name(call, language)):  # rendered eagerly, in this process
            return redirect("call_pdf", code=call.code)
        return TemplateResponse(request, "grants/public/call_pdf_pending.html", {"call": call}, status=202)


def _call_pdf_response(call, language):
    try:
        file = default_storage.open(call_pdf_name(call, language), "rb")
    except FileNotFoundError:
        return None
    return FileResponse(
        file,
        as_attachment=True,
        filename=call_pdf_download_name(call, language),
        content_type="application/pdf",
    )
