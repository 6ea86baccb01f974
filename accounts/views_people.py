"""The staff registry of unique people (/<lang>/staff/people/): the list, one person with everything linked to
them, registering a person and correcting their data, likely duplicates, and the side-by-side comparison where
staff merge two records or mark them different. Only the roles that may see personal data open these pages;
everyone else gets 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from accounts.forms_people import PERSONAL_FIELDS, PeopleSearchForm, PersonForm, PersonMergeForm
from accounts.models import Person, PersonDistinct
from accounts.permissions import can_manage_people_registry, can_view_personal_data
from accounts.selectors_people import (
    duplicate_groups_queryset,
    duplicate_pairs_for,
    people_for_staff,
    person_duplicates,
    person_links,
    person_timeline,
    warn_if_duplicate,
)
from accounts.services_people import person_mark_different, person_merge, person_register, person_update
from core.errors import ApplicationError
from core.permissions import PermissionRequiredMixin

PER_PAGE = 25
# Staff pages of rows linked to a person, by model label; a model may instead define `get_staff_url()`.
STAFF_URL_NAMES = {"grants.application": "staff:application_detail"}
ACTION_LABELS = {
    "accounts.person.merged": gettext_lazy("Merged with a duplicate record"),
    "accounts.person.marked_different": gettext_lazy("Checked: a different person"),
    "accounts.person.consent_given": gettext_lazy("Consent given"),
    "accounts.person.registered": gettext_lazy("Registered"),
    "accounts.person.created": gettext_lazy("Registered"),
    "accounts.person.updated": gettext_lazy("Data corrected"),
}
COMPARED_FIELDS = (
    "first_name",
    "last_name",
    "sex",
    "birth_date",
    "birth_year",
    "community",
    "municipality",
    "personal_number",
    "jmbg",
    "phone",
    "email",
    "user",
    "created_at",
)


def _staff_url(row):
    if hasattr(row, "get_staff_url"):
        return row.get_staff_url()
    name = STAFF_URL_NAMES.get(row._meta.label_lower)
    try:
        return reverse(name, args=[row.pk]) if name else ""
    except NoReverseMatch:
        return ""


def _links_with_urls(person):
    links = person_links(person)
    for link in links:
        link.rows = [{"label": str(row), "url": _staff_url(row)} for row in link.rows]
    return links


def _labelled(entries):
    for entry in entries:
        entry.action_label = ACTION_LABELS.get(entry.action, entry.action)
        entry.from_label, entry.to_label = entry.from_status, entry.to_status
    return entries


def _people():
    return Person.objects.select_related("municipality", "user")


def _two_people(queryset, first, second):
    """Two different existing people, or 404 (a record is never compared with itself)."""
    people = {p.pk: p for p in queryset.filter(pk__in=[first, second])}
    if first == second or len(people) != 2:
        raise Http404
    return people[first], people[second]


class PeopleListView(PermissionRequiredMixin, TemplateView):
    """Every person, searched by name in any script or spelling; two queries for a page (count and rows)."""

    permission = staticmethod(can_manage_people_registry)
    template_name = "accounts/people_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = PeopleSearchForm(self.request.GET or None)
        q = form.cleaned_data["q"] if form.is_bound and form.is_valid() else ""
        page = Paginator(people_for_staff(q=q), PER_PAGE).get_page(self.request.GET.get("page"))
        context.update(form=form, q=q, page_obj=page, people=page.object_list)
        return context


class PersonDetailView(PermissionRequiredMixin, TemplateView):
    """One person: personal data, everything linked to them, likely duplicates, and the timeline."""

    permission = staticmethod(can_manage_people_registry)
    template_name = "accounts/people_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person = get_object_or_404(_people(), pk=kwargs["pk"])
        duplicates = person_duplicates(
            first_name=person.first_name,
            last_name=person.last_name,
            birth_date=person.birth_date,
            birth_year=person.birth_year,
            municipality=person.municipality_id,
            personal_number=person.personal_number,
            jmbg=person.jmbg,
            exclude=person,
        )
        context.update(
            person=person,
            links=_links_with_urls(person),
            duplicates=duplicates,
            timeline=_labelled(person_timeline(person)),
        )
        return context


class DuplicateListView(PermissionRequiredMixin, TemplateView):
    """People with likely duplicates not yet checked, paged; four queries whatever the page."""

    permission = staticmethod(can_manage_people_registry)
    template_name = "accounts/people_duplicates.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = Paginator(duplicate_groups_queryset(), PER_PAGE).get_page(self.request.GET.get("page"))
        context.update(page_obj=page, rows=duplicate_pairs_for(page.object_list))
        return context


class PersonCompareView(PermissionRequiredMixin, View):
    """Two records side by side; "Same person" merges them, "Different people" records the check."""

    permission = staticmethod(can_manage_people_registry)
    template_name = "accounts/people_compare.html"

    def _pair(self, first, second):
        return _two_people(_people(), first, second)

    def get(self, request, first, second):
        a, b = self._pair(first, second)
        return self._render(a, b, PersonMergeForm(first=a, second=b))

    def post(self, request, first, second):
        a, b = self._pair(first, second)
        form = PersonMergeForm(request.POST, first=a, second=b)
        if not form.is_valid():
            return self._render(a, b, form, status=400)
        keep, merge = form.keep_and_merge()
        merged_label = str(merge)
        try:
            person_merge(actor=request.user, keep=keep, merge=merge)
        except ApplicationError as error:
            messages.error(request, error.message)
            return self._render(a, b, form, status=409)
        messages.success(
            request,
            _("%(merged)s was merged into %(kept)s; every link now points to this record.")
            % {"merged": merged_label, "kept": keep},
        )
        return redirect("staff:person_detail", pk=keep.pk)

    def _render(self, a, b, form, status=200):
        rows = []
        for name in COMPARED_FIELDS:
            field = Person._meta.get_field(name)
            values = [self._display(person, field) for person in (a, b)]
            rows.append({"label": field.verbose_name, "values": values, "differ": values[0] != values[1]})
        low, high = sorted((a.pk, b.pk))
        context = {
            "a": a,
            "b": b,
            "rows": rows,
            "links": list(zip(_links_with_urls(a), _links_with_urls(b), strict=True)),
            "form": form,
            "checked_different": PersonDistinct.objects.filter(first_id=low, second_id=high).exists(),
        }
        return render(self.request, self.template_name, context, status=status)

    @staticmethod
    def _display(person, field):
        if field.choices:
            return getattr(person, f"get_{field.name}_display")()
        value = getattr(person, field.name)
        if field.name == "user":
            return value.email if value else ""
        return "" if value is None else value


class PersonMarkDifferentView(PermissionRequiredMixin, View):
    permission = staticmethod(can_manage_people_registry)

    def post(self, request, first, second):
        a, b = _two_people(Person.objects.all(), first, second)
        try:
            person_mark_different(actor=request.user, first=a, second=b)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("staff:people_compare", first=first, second=second)
        messages.success(
            request,
            _("Recorded: %(first)s and %(second)s are different people; they will not be proposed again.")
            % {"first": a, "second": b},
        )
        return redirect("staff:people_duplicates")


def _add_service_error(form, error):
    """A refusal of a service shown on the form, which keeps what was typed."""
    if isinstance(error, ApplicationError):
        form.add_error(None, error.message)
    elif hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _display(person, name):
    value = PersonCompareView._display(person, Person._meta.get_field(name))
    return "" if value is None else value


def _side_by_side(form, candidates, *, personal):
    """The typed data beside each likely duplicate, one row per field; matching values are flagged."""
    data = {k: v for k, v in form.person_data().items() if v not in (None, "")}
    typed = Person(**{k: v for k, v in data.items() if k not in ("consent_given", "consent_date")})
    if typed.birth_date:
        typed.birth_year = typed.birth_date.year
    rows = []
    for name in COMPARED_FIELDS:
        if name == "created_at" or (not personal and name in PERSONAL_FIELDS):
            continue
        mine = _display(typed, name)
        values = [_display(candidate.person, name) for candidate in candidates]
        cells = [{"value": value, "same": mine != "" and value == mine} for value in values]
        rows.append({"label": Person._meta.get_field(name).verbose_name, "typed": mine, "cells": cells})
    return rows


class PersonRegisterView(PermissionRequiredMixin, View):
    """Register a person outside trainings. The duplicate search runs first: likely matches are shown beside what
    was typed and nothing is saved until staff open the existing record or confirm "none of these"."""

    permission = staticmethod(can_manage_people_registry)
    template_name = "accounts/person_form.html"

    def get(self, request):
        return self.page(PersonForm(personal=self.personal))

    def post(self, request):
        form = PersonForm(request.POST, personal=self.personal)
        if not form.is_valid():
            return self.page(form, status=400)
        try:
            person = person_register(
                actor=request.user,
                data=form.person_data(),
                none_of_these=form.cleaned_data["none_of_these"],
                dismissed=form.cleaned_data["candidate_ids"],
            )
        except ApplicationError as error:
            if error.code != "duplicates":
                _add_service_error(form, error)
                return self.page(form, status=409)
            candidates = error.extra["candidates"]
            comparison = _side_by_side(form, candidates, personal=self.personal)
            form.offer_none_of_these(candidates)
            return self.page(form, candidates=candidates, comparison=comparison)
        except ValidationError as error:
            _add_service_error(form, error)
            return self.page(form, status=400)
        messages.success(request, _("%(name)s is registered (no. %(id)s).") % {"name": person, "id": person.pk})
        return redirect("staff:person_detail", pk=person.pk)

    @property
    def personal(self):
        return can_view_personal_data(self.request.user)

    def page(self, form, *, candidates=(), comparison=(), status=200):
        context = {
            "form": form,
            "person": None,
            "candidates": candidates,
            "comparison": comparison,
            "personal": self.personal,
        }
        return render(self.request, self.template_name, context, status=status)


class PersonEditView(PermissionRequiredMixin, View):
    """Correct a person's data. Saving is not blocked when the new data matches another record: the saved record's
    page then warns, with a link to compare the two."""

    permission = staticmethod(can_manage_people_registry)
    template_name = "accounts/person_form.html"

    def get(self, request, pk):
        person = get_object_or_404(_people(), pk=pk)
        return self.page(person, PersonForm(person=person, personal=self.personal(person)))

    def post(self, request, pk):
        person = get_object_or_404(_people(), pk=pk)
        form = PersonForm(request.POST, person=person, personal=self.personal(person))
        if form.is_valid():
            try:
                person = person_update(actor=request.user, person=person, data=form.person_data())
            except (ApplicationError, ValidationError) as error:
                _add_service_error(form, error)
            else:
                messages.success(request, _("The data of %(name)s was saved.") % {"name": person})
                self.warn_about_duplicates(person)
                return redirect("staff:person_detail", pk=person.pk)
        return self.page(person, form, status=400)

    def warn_about_duplicates(self, person):
        duplicates = warn_if_duplicate(
            {name: getattr(person, name) for name in ("first_name", "last_name", "birth_date", "birth_year")}
            | {"municipality": person.municipality_id, "personal_number": person.personal_number, "jmbg": person.jmbg},
            exclude=person,
        )
        if not duplicates:
            return
        links = format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            (
                (
                    reverse("staff:people_compare", args=[person.pk, c.person.pk]),
                    _("%(name)s (no. %(id)s)") % {"name": c.person, "id": c.person.pk},
                )
                for c in duplicates
            ),
        )
        messages.warning(
            self.request,
            format_html(
                "{} {}",
                _("Saved, but the data now matches another record, maybe the same human. Compare them:"),
                links,
            ),
        )

    def personal(self, person):
        return can_view_personal_data(self.request.user, person)

    def page(self, person, form, status=200):
        context = {"form": form, "person": person, "candidates": (), "comparison": (), "personal": form.personal}
        return render(self.request, self.template_name, context, status=status)
