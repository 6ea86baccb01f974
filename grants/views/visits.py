"""Monitoring visits: record and correct a visit (a form made for a phone), read it with its photos and follow-ups,
serve the photos, list the open follow-up actions across grants, and the visits panel of the staff grant page.

Thin views: they parse input, call grants.services.visits and turn an ApplicationError into a message on the field
it concerns. Staff who read grants see visits; only programme officers (can_record_visit) write. Everyone else gets
404, the grantee included: photos go out only through the permission-checked views below, inline, never cached by a
shared proxy.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.errors import ApplicationError
from core.permissions import PermissionRequiredMixin
from core.uploads import IMAGE_TYPES
from grants.forms.visits import FollowUpFormSet, VisitForm
from grants.models import Check, FollowUpAction, Grant, GrantStatus, MonitoringVisit, Quality, VisitPhoto
from grants.permissions import can_record_visit
from grants.services import visits as services
from grants.services.grants import grantee_name
from grants.views.grants import can_view_grants_as_staff

PER_PAGE = 25
ACTION_LABELS = {
    "grants.visit.recorded": gettext_lazy("Monitoring visit recorded"),
    "grants.visit.changed": gettext_lazy("Monitoring visit corrected"),
    "grants.visit.photo_added": gettext_lazy("Photos added to a monitoring visit"),
    "grants.visit.photo_removed": gettext_lazy("Photo removed from a monitoring visit"),
    "grants.visit.follow_up_added": gettext_lazy("Follow-up action added"),
    "grants.visit.follow_up_done": gettext_lazy("Follow-up action done"),
}


# --- Reads (constant number of queries) ---------------------------------------------------------------------------
def grant_for_visits(pk):
    return get_object_or_404(
        Grant.objects.select_related(
            "application__call", "application__person", "application__organisation"
        ).prefetch_related("milestones"),
        pk=pk,
    )


def visits_of_grant(grant):
    """The grant's visits, newest first, with their visitor, photo count, verified milestones and open follow-ups."""
    return (
        MonitoringVisit.objects.filter(grant=grant)
        .select_related("visited_by")
        .annotate(photo_count=Count("photos"))
        .prefetch_related(
            "verified_milestones",
            Prefetch(
                "follow_ups", queryset=FollowUpAction.objects.filter(done_at__isnull=True), to_attr="open_follow_ups"
            ),
        )
    )


def visit_with_rows(grant, visit_pk):
    queryset = (
        MonitoringVisit.objects.filter(grant=grant)
        .select_related("visited_by")
        .prefetch_related(
            "photos",
            "milestones_checked",
            "verified_milestones",
            Prefetch("follow_ups", queryset=FollowUpAction.objects.select_related("done_by")),
        )
    )
    visit = get_object_or_404(queryset, pk=visit_pk)
    visit.grant = grant
    return visit


def open_follow_ups(*, overdue_only=False):
    """Every follow-up action not done yet, soonest due first, with its visit and grant (for the staff list)."""
    rows = FollowUpAction.objects.filter(done_at__isnull=True).select_related(
        "visit__grant__application__person", "visit__grant__application__organisation", "visit__visited_by"
    )
    if overdue_only:
        rows = rows.filter(due_date__lt=timezone.localdate())
    return rows.order_by("due_date", "id")


# --- Checklist badges --------------------------------------------------------------------------------------------
def checklist_badges(visit):
    """What the checklist says, as (text, Bootstrap colour) pairs: warnings first, what is fine after."""
    badges = []
    if visit.donor_sign == Check.NO:
        badges.append((_("No donor sign"), "warning"))
    if visit.safety == Check.NO:
        badges.append((_("Site not safe"), "danger"))
    if visit.quality == Quality.POOR:
        badges.append((_("Poor quality"), "danger"))
    if visit.shared_use == Check.NO:
        badges.append((_("Used by one community only"), "secondary"))
    if visit.donor_sign == Check.YES:
        badges.append((_("Donor sign present"), "success"))
    if visit.shared_use == Check.YES:
        badges.append((_("Shared by communities"), "success"))
    return badges


def visits_panel(request, grant):
    """The grant page's section on monitoring visits (three queries, whatever the number of visits)."""
    if grant.status == GrantStatus.AWAITING_SIGNATURE:
        return None
    visits = list(visits_of_grant(grant))
    today = timezone.localdate()
    follow_ups = []
    for visit in visits:
        visit.badges = checklist_badges(visit)
        for follow_up in visit.open_follow_ups:
            follow_up.visit = visit
            follow_up.is_overdue = follow_up.due_date < today
            follow_ups.append(follow_up)
    return {
        "template": "grants/staff/_grant_panel_visits.html",
        "title": _("Monitoring visits"),
        "anchor": "visits",
        "visits": visits,
        "open_follow_ups": sorted(follow_ups, key=lambda f: (f.due_date, f.pk)),
        "can_record": can_record_visit(request.user, grant),
        "can_mark_done": can_record_visit(request.user, grant),
    }


def my_visits_panel(request, grant):
    """The grantee's view of the programme's visits: date, progress, findings, verified milestones and the open
    follow-up actions (photos, the checklist and the visitor's notes stay with staff)."""
    panel = visits_panel(request, grant)
    if panel is None:
        return None
    panel.update(template="grants/my/_panel_visits.html", can_record=False, can_mark_done=False)
    return panel


# --- Pages -------------------------------------------------------------------------------------------------------
class StaffVisitMixin(PermissionRequiredMixin):
    permission = staticmethod(can_view_grants_as_staff)

    def get_grant(self):
        return grant_for_visits(self.kwargs["pk"])


def _follow_up_rows(formset):
    return [form.cleaned_data for form in formset.forms if form.cleaned_data]


def _show_error(request, form, error):
    """An ApplicationError goes under the field it concerns (if the form shows it), else on top of the page."""
    field = error.extra.get("field")
    if field in form.fields:
        form.add_error(field, error.message)
    else:
        messages.error(request, error.message)


class VisitFormView(StaffVisitMixin, View):
    """Record a visit (no `visit_pk`) or correct one. On an error everything typed is kept but the photos."""

    def setup_visit(self):
        grant = self.get_grant()
        self.check_permission(grant, permission=can_record_visit)
        visit_pk = self.kwargs.get("visit_pk")
        visit = None if visit_pk is None else visit_with_rows(grant, visit_pk)
        return grant, visit

    def get(self, request, pk, visit_pk=None):
        grant, visit = self.setup_visit()
        form = VisitForm(grant=grant, visit=visit, user=request.user)
        return self.render_form(grant, visit, form, FollowUpFormSet(prefix="follow_ups"))

    def post(self, request, pk, visit_pk=None):
        grant, visit = self.setup_visit()
        form = VisitForm(request.POST, request.FILES, grant=grant, visit=visit, user=request.user)
        formset = FollowUpFormSet(request.POST, prefix="follow_ups")
        if all([form.is_valid(), formset.is_valid()]):
            try:
                saved = self.save(grant, visit, form, formset)
            except ApplicationError as error:
                _show_error(request, form, error)
            else:
                messages.success(request, _("The visit was saved."))
                return redirect("staff:visit_detail", pk=grant.pk, visit_pk=saved.pk)
        messages.error(request, _("The visit was not saved. Correct the fields marked in red and save again."))
        return self.render_form(grant, visit, form, formset, status=400)

    def save(self, grant, visit, form, formset):
        data, photos = form.cleaned_data, form.cleaned_data.get("photos") or []
        if visit is None:
            return services.visit_record(
                actor=self.request.user, grant=grant, data=data, photos=photos, follow_ups=_follow_up_rows(formset)
            )
        return services.visit_update(
            actor=self.request.user,
            visit=visit,
            data=data,
            photos=photos,
            follow_ups=_follow_up_rows(formset),
            expected_updated_at=form.expected_version(),
        )

    def render_form(self, grant, visit, form, formset, status=200):
        if visit is None:
            title, action = _("Record a monitoring visit"), reverse("staff:visit_create", args=[grant.pk])
        else:
            title = _("Correct the monitoring visit")
            action = reverse("staff:visit_edit", args=[grant.pk, visit.pk])
        context = {
            "grant": grant,
            "grantee": grantee_name(grant.application),
            "visit": visit,
            "form": form,
            "formset": formset,
            "milestone_rows": form.milestone_rows(),
            "photos_lost": status != 200 and form.has_chosen_photos(),
            "title": title,
            "action": action,
        }
        return render(self.request, "grants/staff/visit_form.html", context, status=status)


class VisitDetailView(StaffVisitMixin, View):
    def get(self, request, pk, visit_pk):
        grant = self.get_grant()
        visit = visit_with_rows(grant, visit_pk)
        today = timezone.localdate()
        follow_ups = list(visit.follow_ups.all())
        for follow_up in follow_ups:
            follow_up.is_overdue = follow_up.done_at is None and follow_up.due_date < today
        may_write = can_record_visit(request.user, grant)
        context = {
            "grant": grant,
            "grantee": grantee_name(grant.application),
            "visit": visit,
            "photos": list(visit.photos.all()),
            "follow_ups": follow_ups,
            "badges": checklist_badges(visit),
            "may_write": may_write,
        }
        return render(request, "grants/staff/visit_detail.html", context)


class VisitPhotoView(StaffVisitMixin, View):
    """A photo (or its thumbnail), inline, for staff who read the grant; nobody else learns that it exists."""

    thumbnail = False

    def get(self, request, pk, visit_pk, photo_pk):
        photo = get_object_or_404(
            VisitPhoto.objects.select_related("visit__grant"), pk=photo_pk, visit_id=visit_pk, visit__grant_id=pk
        )
        file = photo.thumbnail if self.thumbnail else photo.image
        content_type = "image/jpeg" if self.thumbnail else photo.content_type
        if content_type not in IMAGE_TYPES or not file:
            raise Http404
        extension = "png" if content_type == "image/png" else "jpg"
        suffix = "-thumbnail" if self.thumbnail else ""
        filename = f"{photo.visit.grant.number}-visit-{visit_pk}-{photo.pk}{suffix}.{extension}"
        response = FileResponse(file.open("rb"), content_type=content_type, filename=filename)
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, max-age=3600"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


class VisitPhotoDeleteView(StaffVisitMixin, View):
    def post(self, request, pk, visit_pk, photo_pk):
        grant = self.get_grant()
        self.check_permission(grant, permission=can_record_visit)
        photo = get_object_or_404(VisitPhoto, pk=photo_pk, visit_id=visit_pk, visit__grant=grant)
        try:
            services.visit_photo_delete(actor=request.user, photo=photo)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The photo was removed."))
        return redirect(reverse("staff:visit_detail", args=[grant.pk, visit_pk]) + "#photos")


class FollowUpListView(PermissionRequiredMixin, View):
    """Open follow-up actions of every grant, soonest due first, overdue ones flagged; four queries a page."""

    permission = staticmethod(can_view_grants_as_staff)

    def get(self, request):
        overdue_only = request.GET.get("overdue") == "1"
        page = Paginator(open_follow_ups(overdue_only=overdue_only), PER_PAGE).get_page(request.GET.get("page"))
        today = timezone.localdate()
        for follow_up in page.object_list:
            follow_up.is_overdue = follow_up.due_date < today
            follow_up.grantee = grantee_name(follow_up.visit.grant.application)
            follow_up.may_mark_done = can_record_visit(request.user, follow_up.visit.grant)
        context = {"page_obj": page, "follow_ups": page.object_list, "overdue_only": overdue_only}
        return render(request, "grants/staff/follow_up_list.html", context)


class FollowUpDoneView(PermissionRequiredMixin, View):
    permission = staticmethod(can_view_grants_as_staff)

    def post(self, request, follow_up_pk):
        follow_up = get_object_or_404(FollowUpAction.objects.select_related("visit__grant"), pk=follow_up_pk)
        grant = follow_up.visit.grant
        self.check_permission(grant, permission=can_record_visit)
        try:
            services.follow_up_done(actor=request.user, follow_up=follow_up)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("“%(action)s” is marked done.") % {"action": follow_up.action})
        target = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(target)
        return redirect("staff:visit_detail", pk=grant.pk, visit_pk=follow_up.visit_id)
