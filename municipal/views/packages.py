"""Staff pages of technical-assistance packages and activities (/<lang>/staff/municipalities/packages/…,
…/activities/…): the package and activity pages, and the forms that change them.

Thin views: parse input, call a service, turn a refusal into a message on the same form with what was typed (status
400). Everyone whose role does not work with municipal TA gets 404 (municipal.permissions).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts.models import Person
from accounts.permissions import can_view_personal_data
from core.errors import ApplicationError
from core.permissions import PermissionRequiredMixin
from core.selectors import audit_entries_for
from municipal.forms_packages import (
    AcceptForm,
    ActivityForm,
    DeliverableForm,
    DeliverableVersionForm,
    HearingAttendanceForm,
    PackageForm,
    ParticipantForm,
    ReasonForm,
)
from municipal.models import ActivityStatus, Deliverable, DeliverableVersion, TAActivity, TAPackage
from municipal.permissions import can_manage_municipal, can_view_municipal
from municipal.selectors_packages import activity_for_page, attendance_of, package_for_page
from municipal.services import packages as services
from municipalities.models import Municipality

ACTION_LABELS = {
    "municipal.package.created": gettext_lazy("Package recorded"),
    "municipal.package.updated": gettext_lazy("Package changed"),
    "municipal.activity.created": gettext_lazy("Activity planned"),
    "municipal.activity.updated": gettext_lazy("Activity changed"),
    "municipal.activity.started": gettext_lazy("Work started"),
    "municipal.activity.delivered": gettext_lazy("Delivered to the municipality"),
    "municipal.activity.accepted": gettext_lazy("Accepted by the municipality"),
    "municipal.activity.reopened": gettext_lazy("Reopened for changes"),
    "municipal.activity.cancelled": gettext_lazy("Cancelled"),
    "municipal.deliverable.added": gettext_lazy("Deliverable added"),
    "municipal.deliverable.version_added": gettext_lazy("New version of a deliverable"),
    "municipal.activity.participant_added": gettext_lazy("Participant added"),
    "municipal.activity.participant_removed": gettext_lazy("Participant removed"),
    "municipal.hearing.attendance_set": gettext_lazy("Hearing attendance recorded"),
}
TIMELINE_LIMIT = 100


def add_service_error(form, error):
    """A refusal of a service shown on the form, which keeps what was typed."""
    if isinstance(error, ApplicationError):
        form.add_error(None, error.message)
    elif hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def labelled_timeline(entries):
    statuses = dict(ActivityStatus.choices)
    entries = list(entries)
    for entry in entries:
        entry.action_label = ACTION_LABELS.get(entry.action, entry.action)
        entry.from_label = statuses.get(entry.from_status, entry.from_status)
        entry.to_label = statuses.get(entry.to_status, entry.to_status)
    return entries


def _crumbs(municipality=None, package=None, activity=None):
    crumbs = [(_("Municipalities"), reverse("staff:municipalities_list"))]
    if municipality is not None:
        crumbs.append((str(municipality), reverse("staff:municipality_detail", args=[municipality.code])))
    if package is not None:
        crumbs.append((package.title, reverse("staff:ta_package_detail", args=[package.pk])))
    if activity is not None:
        crumbs.append((activity.title, reverse("staff:ta_activity_detail", args=[activity.pk])))
    return crumbs


# Pages


class PackageDetailView(PermissionRequiredMixin, View):
    permission = staticmethod(can_view_municipal)

    def get(self, request, pk):
        package = package_for_page(pk)
        if package is None:
            raise Http404
        activities = list(package.activities.all())
        context = {
            "package": package,
            "municipality": package.municipality,
            "activities": activities,
            "staff": list(package.staff.all()),
            "consultants": [line.strip() for line in package.consultants.splitlines() if line.strip()],
            "budget_left": package.budget - package.cost_total,
            "over_budget": package.cost_total > package.budget,
            "timeline": labelled_timeline(audit_entries_for(target=package)[:TIMELINE_LIMIT]),
            "crumbs": _crumbs(package.municipality),
            "may_manage": can_manage_municipal(request.user),
        }
        return render(request, "municipal/packages/package_detail.html", context)


STATUS_BUTTONS = {
    # status: [(action, label, css class, needs a form page)]
    ActivityStatus.PLANNED: [
        ("start", gettext_lazy("Start the work"), "btn-outline-success", False),
        ("cancel", gettext_lazy("Cancel the activity"), "btn-outline-danger", True),
    ],
    ActivityStatus.IN_PROGRESS: [
        ("deliver", gettext_lazy("Mark as delivered"), "btn-outline-success", False),
        ("cancel", gettext_lazy("Cancel the activity"), "btn-outline-danger", True),
    ],
    ActivityStatus.DELIVERED: [
        ("accept", gettext_lazy("Record acceptance by the municipality"), "btn-success", True),
        ("reopen", gettext_lazy("Reopen for changes"), "btn-outline-secondary", True),
    ],
}


class ActivityDetailView(PermissionRequiredMixin, View):
    permission = staticmethod(can_view_municipal)

    def get(self, request, pk):
        activity = activity_for_page(pk)
        if activity is None:
            raise Http404
        may_manage = can_manage_municipal(request.user)
        deliverables = list(activity.deliverables.all())
        has_version = any(deliverable.versions.all() for deliverable in deliverables)
        attendance = list(activity.hearing_attendance.all())
        context = {
            "activity": activity,
            "package": activity.package,
            "municipality": activity.package.municipality,
            "deliverables": deliverables,
            "participants": list(activity.participants.all()),
            "attendance": attendance_of(activity) if activity.is_hearing else None,
            "hearing_form": (
                HearingAttendanceForm(initial=HearingAttendanceForm.initial_from(attendance))
                if activity.is_hearing and may_manage and activity.status != ActivityStatus.CANCELLED
                else None
            ),
            "status_buttons": STATUS_BUTTONS.get(activity.status, []) if may_manage else [],
            "accept_blocked": activity.status == ActivityStatus.DELIVERED and not has_version,
            "is_open": activity.status not in services.CLOSED_STATUSES,
            "timeline": labelled_timeline(audit_entries_for(target=activity)[:TIMELINE_LIMIT]),
            "crumbs": _crumbs(activity.package.municipality, activity.package),
            "may_manage": may_manage,
            "may_see_people": can_view_personal_data(request.user),
        }
        return render(request, "municipal/packages/activity_detail.html", context)


class VersionDownloadView(PermissionRequiredMixin, View):
    """A deliverable's file, as an attachment, only to those who see municipal TA (404 for everyone else)."""

    permission = staticmethod(can_view_municipal)

    def get(self, request, pk):
        version = get_object_or_404(DeliverableVersion, pk=pk)
        try:
            handle = version.file.open("rb")
        except FileNotFoundError as error:
            raise Http404 from error
        response = FileResponse(
            handle, as_attachment=True, filename=version.original_name, content_type="application/octet-stream"
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


# Forms


class FormPage(PermissionRequiredMixin, View):
    """GET shows the form; POST validates it, calls `save(form)` and goes to `success_url()`; a refusal shows the same
    form with what was typed and status 400."""

    permission = staticmethod(can_manage_municipal)
    template_name = "municipal/packages/form.html"
    success_message = ""
    form_class = None

    def load(self):
        """Set the objects the page is about (404 when they do not exist); nothing by default."""

    def make_form(self, data=None, files=None):
        return self.form_class(data, files)

    def get(self, request, **kwargs):
        self.load()
        return self.render_form(self.make_form())

    def post(self, request, **kwargs):
        self.load()
        form = self.make_form(request.POST, request.FILES)
        if form.is_valid():
            try:
                self.save(form)
            except (ApplicationError, ValidationError) as error:
                add_service_error(form, error)
            else:
                messages.success(request, self.success_message)
                return redirect(self.success_url())
        return self.render_form(form, status=400)

    def context(self):
        return {}

    def render_form(self, form, *, status=200):
        context = {"form": form, "title": self.title, "back_url": self.back_url(), **self.context()}
        return render(self.request, self.template_name, context, status=status)


class PackageCreateView(FormPage):
    success_message = gettext_lazy("The package was recorded.")

    def load(self):
        self.municipality = get_object_or_404(Municipality, code=self.kwargs["code"], is_partner=True)

    @property
    def title(self):
        return _("New technical-assistance package for %(name)s") % {"name": self.municipality}

    def make_form(self, data=None, files=None):
        return PackageForm(data)

    def save(self, form):
        data = dict(form.cleaned_data)
        staff = data.pop("staff", ())
        self.package = services.package_save(
            actor=self.request.user, municipality=self.municipality, data=data, staff_users=staff
        )

    def success_url(self):
        return reverse("staff:ta_package_detail", args=[self.package.pk])

    def back_url(self):
        return reverse("staff:municipality_detail", args=[self.municipality.code])

    def context(self):
        return {"crumbs": _crumbs(self.municipality)}


class PackageEditView(FormPage):
    success_message = gettext_lazy("The package was saved.")

    def load(self):
        self.package = get_object_or_404(TAPackage.objects.select_related("municipality"), pk=self.kwargs["pk"])

    @property
    def title(self):
        return _("Change the package")

    def make_form(self, data=None, files=None):
        return PackageForm(data, instance=TAPackage.objects.get(pk=self.package.pk))

    def save(self, form):
        data = dict(form.cleaned_data)
        staff = data.pop("staff", ())
        services.package_save(
            actor=self.request.user,
            municipality=self.package.municipality,
            data=data,
            staff_users=staff,
            package=self.package,
        )

    def success_url(self):
        return reverse("staff:ta_package_detail", args=[self.package.pk])

    back_url = success_url

    def context(self):
        return {"crumbs": _crumbs(self.package.municipality, self.package)}


class ActivityCreateView(FormPage):
    success_message = gettext_lazy("The activity was planned.")

    def load(self):
        self.package = get_object_or_404(TAPackage.objects.select_related("municipality"), pk=self.kwargs["pk"])

    @property
    def title(self):
        return _("Plan an activity")

    def make_form(self, data=None, files=None):
        initial = {"starts_on": self.package.starts_on, "ends_on": self.package.starts_on}
        return ActivityForm(data, package=self.package, initial=initial)

    def save(self, form):
        self.activity = services.activity_save(actor=self.request.user, package=self.package, data=form.cleaned_data)

    def success_url(self):
        return reverse("staff:ta_activity_detail", args=[self.activity.pk])

    def back_url(self):
        return reverse("staff:ta_package_detail", args=[self.package.pk])

    def context(self):
        return {"crumbs": _crumbs(self.package.municipality, self.package)}


class ActivityMixin:
    def load(self):
        self.activity = get_object_or_404(
            TAActivity.objects.select_related("package__municipality"), pk=self.kwargs["pk"]
        )

    def success_url(self):
        return reverse("staff:ta_activity_detail", args=[self.activity.pk])

    back_url = success_url

    def context(self):
        return {"crumbs": _crumbs(self.activity.package.municipality, self.activity.package, self.activity)}


class ActivityEditView(ActivityMixin, FormPage):
    success_message = gettext_lazy("The activity was saved.")

    @property
    def title(self):
        return _("Change the activity")

    def make_form(self, data=None, files=None):
        return ActivityForm(data, package=self.activity.package, instance=TAActivity.objects.get(pk=self.activity.pk))

    def save(self, form):
        services.activity_save(
            actor=self.request.user, package=self.activity.package, data=form.cleaned_data, activity=self.activity
        )


class ActivityStatusView(ActivityMixin, FormPage):
    """start and deliver are one POST from the activity page; accept, reopen and cancel ask for a date or a reason on
    a form page first."""

    SIMPLE = {
        "start": (services.activity_start, gettext_lazy("The work on the activity started.")),
        "deliver": (services.activity_deliver, gettext_lazy("The activity is marked as delivered.")),
    }
    WITH_FORM = {
        "accept": (gettext_lazy("Record acceptance by the municipality"), gettext_lazy("The acceptance was recorded.")),
        "reopen": (gettext_lazy("Reopen the activity for changes"), gettext_lazy("The activity is in progress again.")),
        "cancel": (gettext_lazy("Cancel the activity"), gettext_lazy("The activity was cancelled.")),
    }

    def dispatch(self, request, *args, **kwargs):
        if kwargs["action"] not in self.SIMPLE and kwargs["action"] not in self.WITH_FORM:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    @property
    def action(self):
        return self.kwargs["action"]

    @property
    def title(self):
        return self.WITH_FORM[self.action][0]

    @property
    def success_message(self):
        return self.WITH_FORM[self.action][1]

    def get(self, request, **kwargs):
        if self.action in self.SIMPLE:
            raise Http404
        return super().get(request, **kwargs)

    def post(self, request, **kwargs):
        if self.action not in self.SIMPLE:
            return super().post(request, **kwargs)
        self.load()
        service, message = self.SIMPLE[self.action]
        try:
            service(actor=request.user, activity=self.activity)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, message)
        return redirect(self.success_url())

    def make_form(self, data=None, files=None):
        return AcceptForm(data) if self.action == "accept" else ReasonForm(data)

    def save(self, form):
        if self.action == "accept":
            services.activity_accept(actor=self.request.user, activity=self.activity, **form.cleaned_data)
        elif self.action == "reopen":
            services.activity_reopen(actor=self.request.user, activity=self.activity, **form.cleaned_data)
        else:
            services.activity_cancel(actor=self.request.user, activity=self.activity, **form.cleaned_data)


class DeliverableCreateView(ActivityMixin, FormPage):
    success_message = gettext_lazy("The deliverable was added as version 1.")

    @property
    def title(self):
        return _("Add a deliverable")

    def make_form(self, data=None, files=None):
        return DeliverableForm(data, files)

    def save(self, form):
        services.deliverable_add(
            actor=self.request.user,
            activity=self.activity,
            title=form.cleaned_data["title"],
            uploaded_file=form.cleaned_data["file"],
            note=form.cleaned_data["note"],
        )


class VersionCreateView(FormPage):
    def load(self):
        self.deliverable = get_object_or_404(
            Deliverable.objects.select_related("activity__package__municipality"), pk=self.kwargs["pk"]
        )
        self.activity = self.deliverable.activity

    @property
    def title(self):
        return _("Upload a new version of %(title)s") % {"title": self.deliverable.title}

    @property
    def success_message(self):
        return _("Version %(number)s was uploaded; the earlier versions are kept.") % {"number": self.version.number}

    def make_form(self, data=None, files=None):
        return DeliverableVersionForm(data, files)

    def save(self, form):
        self.version = services.deliverable_version_add(
            actor=self.request.user,
            deliverable=self.deliverable,
            uploaded_file=form.cleaned_data["file"],
            note=form.cleaned_data["note"],
        )

    success_url = ActivityMixin.success_url
    back_url = ActivityMixin.success_url
    context = ActivityMixin.context


class ParticipantAddView(ActivityMixin, FormPage):
    """The participant is found by a search of the registry: GET ?q= lists the matches (the whole page, or only the
    list for htmx); the POST keeps the query in a hidden field so a refused form shows the same list again."""

    template_name = "municipal/packages/participant_form.html"
    success_message = gettext_lazy("The participant was added.")

    @property
    def title(self):
        return _("Add a participant to %(title)s") % {"title": self.activity.title}

    def make_form(self, data=None, files=None):
        source = data if data is not None else self.request.GET
        q = (source.get("q", "") or "")[:100]
        return ParticipantForm(data, q=q, user=self.request.user)

    def get(self, request, **kwargs):
        self.load()
        form = self.make_form()
        if request.htmx:
            return render(request, "accounts/_person_choices.html", {"form": form})
        return self.render_form(form)

    def save(self, form):
        services.participants_add(actor=self.request.user, activity=self.activity, person=form.cleaned_data["person"])


class ParticipantRemoveView(PermissionRequiredMixin, View):
    permission = staticmethod(can_manage_municipal)

    def post(self, request, pk, person_pk):
        activity = get_object_or_404(TAActivity, pk=pk)
        person = get_object_or_404(Person, pk=person_pk)
        try:
            services.participant_remove(actor=request.user, activity=activity, person=person)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(person)s is no longer a participant.") % {"person": person})
        return redirect("staff:ta_activity_detail", pk=activity.pk)


class HearingAttendanceView(ActivityMixin, FormPage):
    template_name = "municipal/packages/hearing_form.html"
    success_message = gettext_lazy("The attendance was saved.")

    def load(self):
        super().load()
        if not self.activity.is_hearing:
            raise Http404

    @property
    def title(self):
        return _("Attendance of %(title)s") % {"title": self.activity.title}

    def make_form(self, data=None, files=None):
        initial = HearingAttendanceForm.initial_from(self.activity.hearing_attendance.all())
        return HearingAttendanceForm(data, initial=initial)

    def save(self, form):
        services.hearing_attendance_set(actor=self.request.user, activity=self.activity, rows=form.rows())
