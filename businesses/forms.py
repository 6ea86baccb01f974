"""Forms of the business pages. They validate and shape input only; businesses.services saves it.

FormHelper(form_tag=False): the template owns <form> and {% csrf_token %}. One column, so they work on a phone.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from accounts.person_picker import PersonPickForm
from businesses.models import Business, EmploymentType, LegalForm, MarketLink, Snapshot, SnapshotEmployment
from businesses.selectors import counterpart_businesses, counterpart_organisations
from businesses.services import BUSINESS_FIELDS
from core.choices import Community, Sex
from municipalities.models import Municipality

SEARCH_LIMIT = 20


def _helper(*, csrf=True):
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = not csrf
    return helper


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BusinessForm(forms.ModelForm):
    """Create (with the registration status) or edit (without it: that changes only by formalisation)."""

    class Meta:
        model = Business
        fields = list(BUSINESS_FIELDS)
        widgets = {
            "registration_date": _date_input(),
            "founded_on": _date_input(),
            "nui": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "fiscal_number": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["registration_status"]
        self.fields["municipality"].queryset = Municipality.objects.order_by("name_sq")
        self.helper = _helper()


class OwnerForm(PersonPickForm):
    share_percent = forms.DecimalField(
        label=_("Share (%)"),
        min_value=0.01,
        max_value=100,
        decimal_places=2,
        widget=forms.NumberInput({"step": "0.01"}),
    )


class ManagerForm(PersonPickForm):
    role_title = forms.CharField(label=_("Role"), max_length=100)


class EmployeeForm(PersonPickForm):
    position = forms.CharField(label=_("Position"), max_length=100)
    employment_type = forms.ChoiceField(label=_("Employment"), choices=EmploymentType.choices)
    started_on = forms.DateField(label=_("Employed since"), widget=_date_input())


class EmployeeEndForm(forms.Form):
    ended_on = forms.DateField(label=_("Last day of work"), widget=_date_input())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class SnapshotForm(forms.ModelForm):
    class Meta:
        model = Snapshot
        fields = ["date", "kind", "annual_sales", "exports", "new_products_count", "new_products", "financing_obtained"]
        widgets = {"date": _date_input(), "new_products": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean(self):
        cleaned = super().clean()
        sales, exports = cleaned.get("annual_sales"), cleaned.get("exports")
        if sales is not None and exports is not None and exports > sales:
            self.add_error("exports", _("Exports are part of sales, so they cannot be more than the annual sales."))
        return cleaned


class EmploymentForm(forms.ModelForm):
    class Meta:
        model = SnapshotEmployment
        fields = ["sex", "age_band", "full_time_count", "part_time_count", "part_time_weekly_hours", "months_worked"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(csrf=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("part_time_count") and not cleaned.get("part_time_weekly_hours"):
            self.add_error("part_time_weekly_hours", _("Enter the weekly hours of each part-time employee."))
        return cleaned


class BaseEmploymentFormSet(forms.BaseFormSet):
    def clean(self):
        seen = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or not form.has_changed():
                continue
            key = (data.get("sex"), data.get("age_band"))
            if key in seen:
                form.add_error("age_band", _("This sex and age band has a row already; add the counts there."))
            seen.add(key)

    def rows(self):
        return [form.cleaned_data for form in self.forms if form.has_changed() and form.cleaned_data]


EmploymentFormSet = forms.formset_factory(EmploymentForm, formset=BaseEmploymentFormSet, extra=4, max_num=20)


def _counterpart_value(raw):
    """("business" | "organisation", pk) from a posted "business-12" / "organisation-3"; (None, None) otherwise."""
    kind, _sep, pk = str(raw or "").partition("-")
    if kind in ("business", "organisation") and pk.isdigit() and len(pk) < 19:  # a tampered value never reaches SQL
        return kind, int(pk)
    return None, None


def _business_label(business):
    parts = [business.name + (f" ({business.trade_name})" if business.trade_name else "")]
    if business.nui:
        parts.append(_("NUI %(nui)s") % {"nui": business.nui})
    parts.append(str(business.municipality))
    return " · ".join(parts)


def _organisation_label(organisation):
    parts = [organisation.name, organisation.get_type_display()]
    if organisation.municipality_id:
        parts.append(str(organisation.municipality))
    return " · ".join(parts)


class MarketLinkForm(forms.ModelForm):
    """A market link whose counterpart is found by a search, as the owner pages find a person: `q` is what was
    searched (by GET, or kept in a hidden field of the POST); its matching businesses (never the business itself)
    and organisations, plus the one already chosen, are the choices of the radio field `counterpart`. A counterpart
    in neither list is typed in `counterpart_name`.
    """

    search_limit = SEARCH_LIMIT

    class Meta:
        model = MarketLink
        fields = [
            "direction",
            "counterpart_name",
            "counterpart_community",
            "counterpart_municipality",
            "product",
            "value",
            "date",
        ]
        widgets = {"date": _date_input()}

    def __init__(self, data=None, *, business, q="", **kwargs):
        super().__init__(data, **kwargs)
        self.q = (q or "").strip()
        self.has_more = False
        kind, pk = _counterpart_value((data or {}).get("counterpart"))
        businesses = self._matches(
            counterpart_businesses(q=self.q, exclude=business, limit=self.search_limit + 1),
            Business.objects.exclude(pk=business.pk).select_related("municipality"),
            pk if kind == "business" else None,
        )
        organisations = self._matches(
            counterpart_organisations(q=self.q, limit=self.search_limit + 1),
            Organisation.objects.select_related("municipality"),
            pk if kind == "organisation" else None,
        )
        self.chosen = {f"business-{b.pk}": b for b in businesses} | {f"organisation-{o.pk}": o for o in organisations}
        choices = [(f"business-{b.pk}", _business_label(b)) for b in businesses]
        choices += [(f"organisation-{o.pk}", _organisation_label(o)) for o in organisations]
        if choices:
            choices.insert(0, ("", _("None of these: I type the name below")))
        field = forms.ChoiceField(
            label=_("Counterpart in the lists"),
            required=False,
            choices=choices,
            widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            error_messages={
                "invalid_choice": _(
                    "That business or organisation is no longer in the list; search again and choose from the results."
                )
            },
        )
        self.fields = {"counterpart": field, **self.fields}
        self.fields["counterpart_name"].help_text = _("Only when the counterpart is in neither list: type its name.")
        self.fields["counterpart_community"].required = False
        self.fields["counterpart_community"].help_text = _(
            "The community of the counterpart's majority owners; for a business in the list it is read from its owners."
        )
        self.helper = _helper()
        self.helper.layout = Layout(*[name for name in self.fields if name != "counterpart"])

    def _matches(self, found, queryset, chosen_pk):
        """The first `search_limit` matches (noting if there were more), plus the posted choice if it is not among
        them, so a refused form offers the same choices again.
        """
        found = list(found)
        self.has_more = self.has_more or len(found) > self.search_limit
        found = found[: self.search_limit]
        if chosen_pk is not None and chosen_pk not in {row.pk for row in found}:
            found += list(queryset.filter(pk=chosen_pk))
        return found

    @property
    def too_short(self):
        return 0 < len(self.q) < 2

    def radio_groups(self):
        """The counterpart radios grouped for the template: (heading, radios), empty groups left out."""
        radios = list(self["counterpart"])
        groups = [
            ("", [r for r in radios if not r.data["value"]]),
            (_("Businesses"), [r for r in radios if str(r.data["value"]).startswith("business-")]),
            (_("Organisations"), [r for r in radios if str(r.data["value"]).startswith("organisation-")]),
        ]
        return [(heading, group) for heading, group in groups if group]

    def clean(self):
        cleaned = super().clean()
        chosen = self.chosen.get(cleaned.pop("counterpart", "") or "")
        cleaned["counterpart_business"] = chosen if isinstance(chosen, Business) else None
        cleaned["counterpart_organisation"] = chosen if isinstance(chosen, Organisation) else None
        if sum(1 for value in (chosen, cleaned.get("counterpart_name")) if value) != 1:
            raise forms.ValidationError(
                _("Name the counterpart once: choose a business or an organisation from the search, or type its name.")
            )
        if not cleaned["counterpart_business"] and not cleaned.get("counterpart_community"):
            self.add_error("counterpart_community", _("Choose the counterpart's community, or “Prefer not to say”."))
        return cleaned

    def _post_clean(self):
        pass  # the service completes the link (communities, municipality) and validates it in full


class FormaliseForm(forms.Form):
    legal_form = forms.ChoiceField(
        label=_("Legal form"), choices=[c for c in LegalForm.choices if c[0] != LegalForm.NOT_REGISTERED]
    )
    nui = Business._meta.get_field("nui").formfield(required=True)
    fiscal_number = Business._meta.get_field("fiscal_number").formfield()
    registration_date = forms.DateField(label=_("Registration date"), widget=_date_input())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class BusinessFilterForm(forms.Form):
    """The list's GET filters; unknown values are ignored by businesses.selectors.clean_filters."""

    q = forms.CharField(label=_("Name or NUI"), required=False)
    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.order_by("name_sq"), required=False
    )
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    owner_sex = forms.ChoiceField(label=_("Owner's sex"), required=False)
    owner_youth = forms.ChoiceField(label=_("Owner aged 15–29"), required=False)
    owner_community = forms.ChoiceField(label=_("Owner's community"), required=False)
    stage = forms.ChoiceField(label=_("Stage"), required=False)
    registered = forms.ChoiceField(label=_("Registered"), required=False)
    grant_status = forms.ChoiceField(label=_("Grant status"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        any_choice = [("", _("Any"))]
        model = Business._meta
        self.fields["sector"].choices = any_choice + list(model.get_field("sector").choices)
        self.fields["stage"].choices = any_choice + list(model.get_field("stage").choices)
        self.fields["owner_sex"].choices = any_choice + list(Sex.choices)
        self.fields["owner_community"].choices = any_choice + list(Community.choices)
        self.fields["owner_youth"].choices = any_choice + [("yes", _("Yes"))]
        self.fields["registered"].choices = any_choice + [("yes", _("Registered")), ("no", _("Not registered"))]
        self.fields["grant_status"].choices = any_choice + [
            ("active", _("Has an active grant")),
            ("completed", _("Has a completed or closed grant")),
            ("none", _("No grant")),
        ]
        self.helper = _helper(csrf=False)
