"""Staff pages of businesses (/<lang>/staff/businesses/…): list, profile and the forms that add to a profile.

Thin views: parse input, call a service, turn a refusal into a message on the same form with what was typed.
Everything answers 404 to people whose role does not work with businesses.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from businesses import services
from businesses.exports import business_export_request, business_export_retry, can_use_business_export
from businesses.forms import (
    BusinessFilterForm,
    BusinessForm,
    EmployeeEndForm,
    EmployeeForm,
    EmploymentFormSet,
    FormaliseForm,
    ManagerForm,
    MarketLinkForm,
    OwnerForm,
    SnapshotForm,
)
from businesses.models import Business, BusinessEmployee, BusinessExport, BusinessOwner
from businesses.permissions import can_manage_businesses, can_view_businesses, can_view_owner_personal_data
from businesses.selectors import (
    business_for_profile,
    businesses_for_user,
    clean_filters,
    market_link_summary,
    trainings_of_business_people,
)
from core.errors import ApplicationError
from core.permissions import PermissionRequiredMixin
from core.spreadsheets import CONTENT_TYPES, ExportFormat, ExportStatus

PER_PAGE = 25


def add_service_error(form, error):
    """A refusal of a service shown on the form, which keeps what was typed."""
    if isinstance(error, ApplicationError):
        form.add_error(None, error.message)
        return
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


class BusinessListView(PermissionRequiredMixin, View):
    """Businesses filtered in SQL and paged; the rows, their owners and counts cost the same on every page."""

    permission = staticmethod(can_view_businesses)

    def get(self, request):
        filters = clean_filters(request.GET)
        page = Paginator(businesses_for_user(user=request.user, filters=filters), PER_PAGE).get_page(
            request.GET.get("page")
        )
        context = {
            "filter_form": BusinessFilterForm(initial=filters),
            "page_obj": page,
            "businesses": page.object_list,
            "is_filtered": any(filters.values()),
            "query": urlencode([(key, value) for key, value in filters.items() if value]),
            "may_manage": can_manage_businesses(request.user),
            "may_see_people": can_view_owner_personal_data(request.user),
            "export_formats": ExportFormat.choices,
        }
        return render(request, "businesses/business_list.html", context)


class BusinessProfileView(PermissionRequiredMixin, View):
    permission = staticmethod(can_view_businesses)

    def get(self, request, pk):
        business = business_for_profile(user=request.user, pk=pk)
        if business is None:
            raise Http404
        snapshots = list(business.snapshots.all())
        links = list(business.market_links.all())
        context = {
            "business": business,
            "owners": list(business.owners.all()),
            "managers": list(business.managers.all()),
            "employees": list(business.employees.all()),
            "snapshots": snapshots,
            "links": links,
            "link_summary": market_link_summary(links),
            "grants": list(business.grants.all()),
            "trainings": list(trainings_of_business_people(business)),
            "may_manage": can_manage_businesses(request.user),
            "may_see_people": can_view_owner_personal_data(request.user),
        }
        return render(request, "businesses/business_detail.html", context)


class ManageMixin(PermissionRequiredMixin):
    """A form page about one business; GET shows the form, POST calls `save(form)` and returns to the profile."""

    permission = staticmethod(can_manage_businesses)
    title = ""
    form_class = None
    success_message = ""

    def get_business(self):
        return get_object_or_404(Business.objects.select_related("municipality"), pk=self.kwargs["pk"])

    def make_form(self, data=None):
        return self.form_class(data)

    def get(self, request, pk):
        self.business = self.get_business()
        return self.render_form(self.make_form())

    def post(self, request, pk):
        self.business = self.get_business()
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                self.save(form)
            except (ApplicationError, ValidationError) as error:
                add_service_error(form, error)
            else:
                messages.success(request, self.success_message)
                return redirect("staff:business_detail", pk=self.business.pk)
        return self.render_form(form, status=400)

    def render_form(self, form, *, status=200, **extra):
        context = {"business": self.business, "form": form, "title": self.title, **extra}
        return render(self.request, "businesses/business_form.html", context, status=status)


class BusinessCreateView(PermissionRequiredMixin, View):
    permission = staticmethod(can_manage_businesses)

    def get(self, request):
        return self.render_form(BusinessForm())

    def post(self, request):
        form = BusinessForm(request.POST)
        if form.is_valid():
            try:
                business = services.business_create(actor=request.user, data=form.cleaned_data)
            except (ApplicationError, ValidationError) as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The business %(name)s was recorded.") % {"name": business.name})
                return redirect("staff:business_detail", pk=business.pk)
        return self.render_form(form, status=400)

    def render_form(self, form, status=200):
        context = {"business": None, "form": form, "title": _("New business")}
        return render(self.request, "businesses/business_form.html", context, status=status)


class BusinessEditView(ManageMixin, View):
    success_message = gettext_lazy("The business was saved.")

    @property
    def title(self):
        return _("Change %(name)s") % {"name": self.business.name}

    def make_form(self, data=None):
        return BusinessForm(data, instance=self.get_business())

    def save(self, form):
        services.business_update(actor=self.request.user, business=self.business, data=form.cleaned_data)


class SearchPickMixin(ManageMixin):
    """A form page whose choice is found by a search: GET ?<search_param>= lists the matches (the whole page, or
    only the list for htmx), the POST keeps the query in a hidden field so a refused form shows the same list again.
    """

    search_param = "q"
    template_name = ""
    choices_template = ""

    def build_form(self, data, q):
        """The form for what was searched; by default `form_class(data, q=…, user=…)` (the person pickers)."""
        return self.form_class(data, q=q, user=self.request.user)

    def make_form(self, data=None):
        source = data if data is not None else self.request.GET
        return self.build_form(data, (source.get(self.search_param, "") or "")[:100])

    def get(self, request, pk):
        self.business = self.get_business()
        form = self.make_form()
        if request.htmx:
            return render(request, self.choices_template, {"form": form})
        return self.render_form(form)

    def render_form(self, form, *, status=200, **extra):
        context = {"business": self.business, "form": form, "title": self.title, **extra}
        return render(self.request, self.template_name, context, status=status)


class PersonPickMixin(SearchPickMixin):
    """The person of an owner or manager, found by a search of the registry (accounts.selectors_people)."""

    template_name = "businesses/business_person_form.html"
    choices_template = "accounts/_person_choices.html"


class OwnerAddView(PersonPickMixin, View):
    form_class = OwnerForm
    success_message = gettext_lazy("The owner was added.")

    @property
    def title(self):
        return _("Add an owner of %(name)s") % {"name": self.business.name}

    def save(self, form):
        services.business_owner_add(actor=self.request.user, business=self.business, **form.cleaned_data)


class OwnerRemoveView(PermissionRequiredMixin, View):
    permission = staticmethod(can_manage_businesses)

    def post(self, request, pk, owner_pk):
        owner = get_object_or_404(BusinessOwner.objects.select_related("business"), pk=owner_pk, business_id=pk)
        services.business_owner_remove(actor=request.user, owner=owner)
        messages.success(request, _("The owner was removed."))
        return redirect("staff:business_detail", pk=pk)


class ManagerAddView(PersonPickMixin, View):
    form_class = ManagerForm
    success_message = gettext_lazy("The manager was added.")

    @property
    def title(self):
        return _("Add a manager of %(name)s") % {"name": self.business.name}

    def save(self, form):
        services.business_manager_add(actor=self.request.user, business=self.business, **form.cleaned_data)


class EmployeeAddView(PersonPickMixin, View):
    form_class = EmployeeForm
    success_message = gettext_lazy("The employee was added.")

    @property
    def title(self):
        return _("Add an employee of %(name)s") % {"name": self.business.name}

    def save(self, form):
        services.business_employee_add(actor=self.request.user, business=self.business, **form.cleaned_data)


class EmployeeEndView(ManageMixin, View):
    form_class = EmployeeEndForm
    success_message = gettext_lazy("The end of the employment was recorded.")

    def get_business(self):
        self.employee = get_object_or_404(
            BusinessEmployee.objects.select_related("business__municipality", "person"),
            pk=self.kwargs["employee_pk"],
            business_id=self.kwargs["pk"],
        )
        return self.employee.business

    @property
    def title(self):
        return _("Record the last day of %(person)s at %(name)s") % {
            "person": self.employee.person,
            "name": self.business.name,
        }

    def get(self, request, pk, employee_pk):
        return super().get(request, pk)

    def post(self, request, pk, employee_pk):
        return super().post(request, pk)

    def save(self, form):
        services.business_employee_end(actor=self.request.user, employee=self.employee, **form.cleaned_data)


class SnapshotAddView(ManageMixin, View):
    success_message = gettext_lazy("The snapshot was recorded.")

    @property
    def title(self):
        return _("Record a snapshot of %(name)s") % {"name": self.business.name}

    def make_form(self, data=None):
        self.formset = EmploymentFormSet(data, prefix="employment")
        return SnapshotForm(data)

    def post(self, request, pk):
        self.business = self.get_business()
        form = self.make_form(request.POST)
        if form.is_valid() and self.formset.is_valid():
            try:
                services.snapshot_record(
                    actor=request.user, business=self.business, data=form.cleaned_data, employment=self.formset.rows()
                )
            except (ApplicationError, ValidationError) as error:
                add_service_error(form, error)
            else:
                messages.success(request, self.success_message)
                return redirect("staff:business_detail", pk=self.business.pk)
        return self.render_form(form, status=400)

    def render_form(self, form, *, status=200, **extra):
        return super().render_form(form, status=status, formset=self.formset)


class MarketLinkAddView(SearchPickMixin, View):
    """The counterpart (a business other than this one, or an organisation) is found by a search of both lists;
    one not in either is typed by name.
    """

    search_param = "counterpart_q"
    template_name = "businesses/market_link_form.html"
    choices_template = "businesses/_counterpart_choices.html"
    success_message = gettext_lazy("The market link was recorded.")

    @property
    def title(self):
        return _("Record a market link of %(name)s") % {"name": self.business.name}

    def build_form(self, data, q):
        return MarketLinkForm(data, business=self.business, q=q)

    def save(self, form):
        data = {key: value for key, value in form.cleaned_data.items()}
        data["counterpart_community"] = data.get("counterpart_community") or ""
        services.market_link_record(actor=self.request.user, business=self.business, data=data)


class FormaliseView(ManageMixin, View):
    form_class = FormaliseForm
    success_message = gettext_lazy("The business is now registered; its formalisation is counted.")

    @property
    def title(self):
        return _("Record the registration of %(name)s") % {"name": self.business.name}

    def save(self, form):
        services.business_formalise(actor=self.request.user, business=self.business, **form.cleaned_data)


class BusinessExportCreateView(PermissionRequiredMixin, View):
    """The list's export buttons post its current filters here; the file is written by a Celery task."""

    permission = staticmethod(can_view_businesses)

    def post(self, request):
        filters = QueryDict(request.POST.get("query", ""))
        export_format = request.POST.get("format", ExportFormat.XLSX)
        try:
            export = business_export_request(actor=request.user, export_format=export_format, filters=filters)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("staff:businesses_list")
        return redirect("staff:business_export_detail", pk=export.pk)


class ExportMixin(PermissionRequiredMixin):
    permission = staticmethod(can_view_businesses)

    def get_export(self, pk):
        export = BusinessExport.objects.select_related("requested_by").filter(pk=pk).first()
        if export is None or not can_use_business_export(self.request.user, export):
            raise Http404
        return export


class BusinessExportDetailView(ExportMixin, View):
    def get(self, request, pk):
        export = self.get_export(pk)
        context = {"export": export, "in_progress": export.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)}
        return render(request, "businesses/export_detail.html", context)


class BusinessExportRetryView(ExportMixin, View):
    def post(self, request, pk):
        export = self.get_export(pk)
        try:
            business_export_retry(actor=request.user, export=export)
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect("staff:business_export_detail", pk=export.pk)


class BusinessExportDownloadView(ExportMixin, View):
    def get(self, request, pk):
        export = self.get_export(pk)
        if export.status != ExportStatus.SUCCEEDED or not export.file:
            raise Http404
        filename = f"businesses-{export.created_at:%Y-%m-%d-%H%M}.{export.format}"
        return FileResponse(
            export.file.open("rb"), as_attachment=True, filename=filename, content_type=CONTENT_TYPES[export.format]
        )
