"""The narratives staff write for each quarter's progress report (/staff/reports/narratives/).

The list shows the six sections of one quarter (the current one by default) with their text, who last saved it and
when; each section has its own edit page. Saving is reports.services.narratives.narrative_save: a section saved by
someone else after the page was opened is refused, and the page shows both texts, keeping what the user typed.
A quarter or section that does not exist answers 404, as does a person who may not write narratives.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View

from core.errors import ApplicationError
from core.permissions import PermissionRequiredMixin
from reports.forms_narratives import NarrativeForm, QuarterForm
from reports.models import NarrativeSection
from reports.periods import Period, fiscal_year_of, quarter_of
from reports.permissions import can_write_narratives
from reports.services.narratives import (
    StaleNarrative,
    is_valid_quarter,
    narrative_of,
    narrative_save,
    narratives_of_quarter,
)


def _list_url(fiscal_year, quarter):
    return reverse("staff:narratives") + "?" + urlencode({"fy": fiscal_year, "q": quarter})


def _requested_quarter(params):
    """(fiscal year, quarter) from the query string, the current quarter when none; 404 when it makes none."""
    today = timezone.localdate()
    try:
        fiscal_year = int(params.get("fy") or fiscal_year_of(today))
        quarter = int(params.get("q") or (quarter_of(today) if not params.get("fy") else 1))
    except ValueError as exc:
        raise Http404 from exc
    if not is_valid_quarter(fiscal_year, quarter):
        raise Http404
    return fiscal_year, quarter


class NarrativeListView(PermissionRequiredMixin, View):
    permission = staticmethod(can_write_narratives)

    def get(self, request):
        fiscal_year, quarter = _requested_quarter(request.GET)
        context = {
            "form": QuarterForm(initial={"fy": fiscal_year, "q": quarter}, shown_year=fiscal_year),
            "period": Period.fiscal_quarter(fiscal_year, quarter),
            "fiscal_year": fiscal_year,
            "quarter": quarter,
            "sections": narratives_of_quarter(fiscal_year=fiscal_year, quarter=quarter),
        }
        return render(request, "reports/narratives/narrative_list.html", context)


class NarrativeEditView(PermissionRequiredMixin, View):
    permission = staticmethod(can_write_narratives)

    def dispatch(self, request, *args, fiscal_year, quarter, section, **kwargs):
        if section not in NarrativeSection.values or not is_valid_quarter(fiscal_year, quarter):
            raise Http404
        self.fiscal_year, self.quarter, self.section = fiscal_year, quarter, section
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        narrative = self._current()
        form = NarrativeForm(
            initial={"text": narrative.text if narrative else "", "version": narrative.version if narrative else 0}
        )
        return self._render(form, narrative)

    def post(self, request):
        form = NarrativeForm(request.POST)
        if not form.is_valid():
            return self._render(form, self._current(), status=400)
        try:
            narrative_save(
                actor=request.user,
                fiscal_year=self.fiscal_year,
                quarter=self.quarter,
                section=self.section,
                text=form.cleaned_data["text"],
                version=form.cleaned_data["version"],
            )
        except StaleNarrative as error:
            return self._conflict(form, error)
        except ApplicationError as error:
            form.add_error("text", error.message)
            return self._render(form, self._current(), status=400)
        messages.success(request, _("“%(section)s” was saved.") % {"section": NarrativeSection(self.section).label})
        return redirect(_list_url(self.fiscal_year, self.quarter))

    def _current(self):
        return narrative_of(fiscal_year=self.fiscal_year, quarter=self.quarter, section=self.section)

    def _conflict(self, form, error):
        """Keep what the user typed; show what the other person saved; the next save goes over their version."""
        current = error.current
        data = {"text": form.cleaned_data["text"], "version": current.version if current else 0}
        form = NarrativeForm(data)
        form.is_valid()
        return self._render(form, current, status=409, conflict=error.message)

    def _render(self, form, narrative, *, status=200, conflict=""):
        context = {
            "form": form,
            "narrative": narrative,
            "conflict": conflict,
            "section_label": NarrativeSection(self.section).label,
            "period": Period.fiscal_quarter(self.fiscal_year, self.quarter),
            "list_url": _list_url(self.fiscal_year, self.quarter),
        }
        return render(self.request, "reports/narratives/narrative_form.html", context, status=status)
