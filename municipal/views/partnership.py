"""Form pages of a municipality's partnership (/<lang>/staff/municipalities/<code>/…): memoranda of understanding,
focal persons, profile and population figures, and the download of a signed memorandum.

Thin views: parse input, call a service, turn a refusal into a message on the same form with what was typed
(status 400). Each returns to the municipality page. Roles that do not work with municipal TA get 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.errors import ApplicationError
from core.permissions import PermissionRequiredMixin
from municipal.forms_partnership import (
    FocalPersonForm,
    FocalPersonRetireForm,
    MemorandumEndForm,
    MemorandumForm,
    MemorandumSignForm,
    PopulationFigureForm,
    PopulationFigureRemoveForm,
    ProfileForm,
)
from municipal.permissions import can_manage_municipal, can_view_municipal
from municipal.services import partnership as services
from municipalities.models import (
    FocalPerson,
    Memorandum,
    MouStatus,
    Municipality,
    MunicipalityProfile,
    PopulationFigure,
)

TEMPLATE = "municipal/partnership/partnership_form.html"


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


def _term(memorandum):
    return {
        "start": date_format(memorandum.starts_on, "SHORT_DATE_FORMAT"),
        "end": date_format(memorandum.ends_on, "SHORT_DATE_FORMAT"),
    }


def partner_municipality(code):
    municipality = Municipality.objects.filter(code=code, is_partner=True).first()
    if municipality is None:
        raise Http404
    return municipality


class PartnershipFormMixin(PermissionRequiredMixin):
    """A form page about one municipality; GET shows the form, POST calls `save(form)` and returns to the
    municipality page. Subclasses load their object in `load()` (404 when it is not this municipality's)."""

    permission = staticmethod(can_manage_municipal)
    form_class = None
    success_message = ""
    intro = ""

    def load(self):
        """Set the object the page is about (if any); called after `self.municipality` is set."""

    def make_form(self, data=None, files=None):
        return self.form_class(data)

    def get(self, request, code, **kwargs):
        self.municipality = partner_municipality(code)
        self.load()
        return self.render_form(self.make_form())

    def post(self, request, code, **kwargs):
        self.municipality = partner_municipality(code)
        self.load()
        form = self.make_form(request.POST, request.FILES)
        if form.is_valid():
            try:
                self.save(form)
            except (ApplicationError, ValidationError) as error:
                add_service_error(form, error)
            else:
                messages.success(request, self.success_message)
                return redirect("staff:municipality_detail", code=self.municipality.code)
        return self.render_form(form, status=400)

    def render_form(self, form, *, status=200):
        context = {
            "municipality": self.municipality,
            "form": form,
            "title": self.title,
            "intro": self.intro,
            "submit_label": getattr(self, "submit_label", "") or _("Save"),
        }
        return render(self.request, TEMPLATE, context, status=status)


class MemorandumMixin(PartnershipFormMixin):
    allowed_statuses = (MouStatus.DRAFT, MouStatus.SIGNED)

    def load(self):
        self.memorandum = get_object_or_404(Memorandum, pk=self.kwargs["pk"], municipality=self.municipality)
        self.memorandum.municipality = self.municipality
        if self.memorandum.status not in self.allowed_statuses:
            raise Http404


class MemorandumCreateView(PartnershipFormMixin, View):
    form_class = MemorandumForm
    success_message = gettext_lazy("The memorandum was recorded as a draft. Sign it when the signed PDF is ready.")

    @property
    def title(self):
        return _("New memorandum of understanding with %(municipality)s") % {"municipality": self.municipality}

    def save(self, form):
        services.memorandum_save(actor=self.request.user, municipality=self.municipality, data=form.cleaned_data)


class MemorandumEditView(MemorandumMixin, View):
    success_message = gettext_lazy("The memorandum was saved.")

    @property
    def title(self):
        return _("Change the memorandum of %(start)s to %(end)s") % _term(self.memorandum)

    def make_form(self, data=None, files=None):
        return MemorandumForm(data, instance=self.memorandum)

    def save(self, form):
        services.memorandum_save(
            actor=self.request.user,
            municipality=self.municipality,
            data=form.cleaned_data,
            memorandum=self.memorandum,
        )


class MemorandumSignView(MemorandumMixin, View):
    form_class = MemorandumSignForm
    allowed_statuses = (MouStatus.DRAFT,)
    success_message = gettext_lazy("The memorandum is signed; its PDF is kept with it.")
    submit_label = gettext_lazy("Record the signature")

    @property
    def title(self):
        return _("Record the signature of the memorandum of %(start)s to %(end)s") % _term(self.memorandum)

    def make_form(self, data=None, files=None):
        return MemorandumSignForm(data, files)

    def save(self, form):
        services.memorandum_sign(actor=self.request.user, memorandum=self.memorandum, **form.cleaned_data)


class MemorandumEndView(MemorandumMixin, View):
    form_class = MemorandumEndForm
    allowed_statuses = (MouStatus.SIGNED,)
    success_message = gettext_lazy("The memorandum has ended.")
    submit_label = gettext_lazy("End the memorandum")
    intro = gettext_lazy("An ended memorandum is kept as it was and can no longer be changed.")

    @property
    def title(self):
        return _("End the memorandum of %(start)s to %(end)s") % _term(self.memorandum)

    def save(self, form):
        services.memorandum_end(actor=self.request.user, memorandum=self.memorandum, **form.cleaned_data)


class MemorandumFileView(PermissionRequiredMixin, View):
    """The signed PDF, to staff who see municipal TA in full, as an attachment."""

    permission = staticmethod(can_view_municipal)

    def get(self, request, code, pk):
        municipality = partner_municipality(code)
        memorandum = get_object_or_404(Memorandum, pk=pk, municipality=municipality)
        if not memorandum.signed_file:
            raise Http404
        try:
            handle = memorandum.signed_file.open("rb")
        except FileNotFoundError as error:
            raise Http404 from error
        filename = f"mou-{municipality.code}-{memorandum.starts_on:%Y}-{memorandum.ends_on:%Y}.pdf"
        response = FileResponse(handle, as_attachment=True, filename=filename, content_type="application/pdf")
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


class FocalPersonMixin(PartnershipFormMixin):
    def load(self):
        self.focal_person = get_object_or_404(
            FocalPerson, pk=self.kwargs["pk"], municipality=self.municipality, is_active=True
        )


class FocalPersonCreateView(PartnershipFormMixin, View):
    form_class = FocalPersonForm
    success_message = gettext_lazy("The focal person was added.")

    @property
    def title(self):
        return _("Add a focal person in %(municipality)s") % {"municipality": self.municipality}

    def save(self, form):
        services.focal_person_save(actor=self.request.user, municipality=self.municipality, data=form.cleaned_data)


class FocalPersonEditView(FocalPersonMixin, View):
    success_message = gettext_lazy("The focal person was saved.")

    @property
    def title(self):
        return _("Change %(name)s") % {"name": self.focal_person.name}

    def make_form(self, data=None, files=None):
        return FocalPersonForm(data, instance=self.focal_person)

    def save(self, form):
        services.focal_person_save(
            actor=self.request.user,
            municipality=self.municipality,
            data=form.cleaned_data,
            focal_person=self.focal_person,
        )


class FocalPersonRetireView(FocalPersonMixin, View):
    form_class = FocalPersonRetireForm
    success_message = gettext_lazy("The person is no longer listed as a focal person; their record is kept.")
    submit_label = gettext_lazy("No longer the focal person")
    intro = gettext_lazy("The person stays in the record, so earlier work still names them.")

    @property
    def title(self):
        return _("%(name)s is no longer a focal person") % {"name": self.focal_person.name}

    def save(self, form):
        services.focal_person_retire(actor=self.request.user, focal_person=self.focal_person, **form.cleaned_data)


class ProfileEditView(PartnershipFormMixin, View):
    success_message = gettext_lazy("The profile was saved.")

    @property
    def title(self):
        return _("Profile of %(municipality)s") % {"municipality": self.municipality}

    def make_form(self, data=None, files=None):
        profile = MunicipalityProfile.objects.filter(municipality=self.municipality).first()
        return ProfileForm(data, instance=profile or MunicipalityProfile(municipality=self.municipality))

    def save(self, form):
        services.profile_save(actor=self.request.user, municipality=self.municipality, data=form.cleaned_data)


class PopulationFigureCreateView(PartnershipFormMixin, View):
    form_class = PopulationFigureForm
    success_message = gettext_lazy("The population figure was recorded.")

    @property
    def title(self):
        return _("Record a population figure of %(municipality)s") % {"municipality": self.municipality}

    def save(self, form):
        services.population_figure_record(
            actor=self.request.user, municipality=self.municipality, data=form.cleaned_data
        )


class PopulationFigureRemoveView(PartnershipFormMixin, View):
    form_class = PopulationFigureRemoveForm
    success_message = gettext_lazy("The population figure was removed.")
    submit_label = gettext_lazy("Remove the figure")

    def load(self):
        self.figure = get_object_or_404(PopulationFigure, pk=self.kwargs["pk"], municipality=self.municipality)

    @property
    def title(self):
        return _("Remove the figure %(year)s · %(source)s") % {"year": self.figure.year, "source": self.figure.source}

    def save(self, form):
        services.population_figure_remove(actor=self.request.user, figure=self.figure, **form.cleaned_data)
