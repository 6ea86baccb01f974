"""Forms of the application steps. They validate and shape input; the services decide."""

import datetime
from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from core.choices import Community, Sex
from grants.models import ApplicantType, Application, BudgetCategory, BudgetLine, Partner, QuestionKind
from grants.services.applications import PROJECT_FIELDS
from municipalities.models import Municipality

ORGANISATION_TYPES = {ApplicantType.CSO, ApplicantType.EXISTING_BUSINESS, ApplicantType.MUNICIPALITY}
# Communities shown in the beneficiaries grid (the rest are counted under "other").
BENEFICIARY_COMMUNITIES = [c for c in Community if c not in (Community.NOT_STATED,)]
BENEFICIARY_SEXES = [Sex.FEMALE, Sex.MALE]


def _helper():
    helper = FormHelper()
    helper.form_tag = False
    return helper


class StartForm(forms.Form):
    applicant_type = forms.ChoiceField(label=_("You apply as"), widget=forms.RadioSelect)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Needed when you apply as an organisation, a business or a municipality."),
    )

    def __init__(self, *args, call, user, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(ApplicantType.choices)
        self.fields["applicant_type"].choices = [(t, labels[t]) for t in call.eligible_applicant_types]
        self.fields["organisation"].queryset = Organisation.objects.filter(members=user).order_by("name")
        self.helper = _helper()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("applicant_type") in ORGANISATION_TYPES and not cleaned.get("organisation"):
            self.add_error(
                "organisation",
                _("Choose the organisation you apply for, or add it to your profile first."),
            )
        return cleaned


class VersionedForm(forms.Form):
    """Carries the version of the application the page showed, so a second tab cannot overwrite silently."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class ProjectForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    communities_involved = forms.MultipleChoiceField(
        label=_("Communities taking part"),
        choices=[c for c in Community.choices if c[0] != Community.NOT_STATED],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("The programme funds projects that bring communities together: name at least two."),
    )

    class Meta:
        model = Application
        # The beneficiaries grid is built from separate number fields (see __init__).
        fields = [field for field in PROJECT_FIELDS if field != "beneficiaries"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "problem": forms.Textarea(attrs={"rows": 5}),
            "solution": forms.Textarea(attrs={"rows": 5}),
            "inter_ethnic_description": forms.Textarea(attrs={"rows": 4}),
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = call.eligible_municipalities.order_by("sort_order")
        self.fields["municipality"].label_from_instance = lambda m: m.name
        for name in ("title", "municipality", "start_date", "end_date"):
            self.fields[name].required = False  # drafts may be incomplete; submission checks completeness
        for community in BENEFICIARY_COMMUNITIES:
            for sex in BENEFICIARY_SEXES:
                name = f"beneficiaries_{community}_{sex}"
                self.fields[name] = forms.IntegerField(
                    label=f"{community.label} · {sex.label}", min_value=0, max_value=1_000_000, required=False
                )
                stored = (self.instance.beneficiaries or {}).get(community, {}).get(sex)
                self.initial.setdefault(name, stored)
        self.helper = _helper()
        # The beneficiaries grid is laid out by the template; crispy renders the rest.
        self.helper.layout = Layout("version", *self.Meta.fields)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date must come after the start date."))
        if start and start.year < 2000 or end and end.year > 2100:
            self.add_error("start_date", _("Check the year of the dates."))
        beneficiaries = {}
        for community in BENEFICIARY_COMMUNITIES:
            counts = {sex: cleaned.get(f"beneficiaries_{community}_{sex}") for sex in BENEFICIARY_SEXES}
            counts = {sex: n for sex, n in counts.items() if n}
            if counts:
                beneficiaries[community] = counts
        cleaned["beneficiaries"] = beneficiaries
        return cleaned

    def beneficiary_rows(self):
        return [
            (community.label, [self[f"beneficiaries_{community}_{sex}"] for sex in BENEFICIARY_SEXES])
            for community in BENEFICIARY_COMMUNITIES
        ]


def _question_field(question):
    language = get_language()
    label = question.label
    common = {"label": label, "required": False, "help_text": question.help}
    if question.kind == QuestionKind.LONG_TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=5000, **common)
    if question.kind == QuestionKind.NUMBER:
        return forms.DecimalField(max_digits=14, decimal_places=2, **common)
    if question.kind == QuestionKind.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if question.kind == QuestionKind.YES_NO:
        return forms.TypedChoiceField(
            choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))], widget=forms.RadioSelect, **common
        )
    if question.kind == QuestionKind.CHOICE:
        column = {"sq": "label_sq", "sr-latn": "label_sr", "sr": "label_sr", "en": "label_en"}.get(language, "label_sq")
        options = [(o["value"], o.get(column) or o.get("label_sq") or o["value"]) for o in question.choices]
        return forms.ChoiceField(choices=[("", "—"), *options], **common)
    return forms.CharField(max_length=500, **common)


class QuestionsForm(VersionedForm):
    """The call's own questions, built from the call's data. Required ones are checked at submission."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[f"q_{question.key}"] = _question_field(question)
        self.helper = _helper()

    def answers(self):
        """Cleaned answers as JSON-ready values, keyed by question key."""
        result = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"q_{question.key}")
            if isinstance(value, Decimal):
                value = str(value)
            elif isinstance(value, datetime.date):
                value = value.isoformat()
            result[question.key] = value if value not in (None, "") else None
        return result


class PartnerForm(forms.ModelForm):
    communities = forms.MultipleChoiceField(
        label=_("Communities represented"),
        choices=[c for c in Community.choices if c[0] != Community.NOT_STATED],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Partner
        fields = ["name", "type", "municipality", "communities", "contact", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = Municipality.objects.order_by("sort_order")
        self.fields["municipality"].label_from_instance = lambda m: m.name
        self.helper = _helper()


class BudgetLineForm(forms.ModelForm):
    class Meta:
        model = BudgetLine
        fields = [
            "category",
            "description",
            "unit",
            "quantity",
            "unit_cost",
            "requested_amount",
            "cost_share_amount",
            "cost_share_kind",
            "contributor",
        ]

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(BudgetCategory.choices)
        self.fields["category"].choices = [("", "—")] + [(c, labels[c]) for c in call.budget_categories]
        self.fields["cost_share_amount"].required = False
        self.helper = _helper()

    def clean(self):
        cleaned = super().clean()
        quantity, unit_cost = cleaned.get("quantity"), cleaned.get("unit_cost")
        requested = cleaned.get("requested_amount")
        share = cleaned.get("cost_share_amount") or Decimal("0")
        cleaned["cost_share_amount"] = share
        if None not in (quantity, unit_cost, requested):
            total = (quantity * unit_cost).quantize(Decimal("0.01"))
            if requested + share != total:
                raise forms.ValidationError(
                    _(
                        "Requested amount (%(requested)s) and cost share (%(share)s) must add up to the line total "
                        "%(total)s (quantity × unit cost)."
                    )
                    % {"requested": requested, "share": share, "total": total}
                )
        if share and not cleaned.get("contributor"):
            self.add_error("contributor", _("Say who contributes the cost share."))
        return cleaned


class DocumentUploadForm(forms.Form):
    call_document = forms.IntegerField(widget=forms.HiddenInput)
    file = forms.FileField(
        label=_("File"),
        error_messages={
            "empty": _("The file is empty. Choose the file again; if it still fails, scan it again."),
            "required": _("Choose a file to upload."),
        },
    )


class SubmitForm(forms.Form):
    declaration = forms.BooleanField(
        label=_(
            "I declare that the information in this application is true and complete, and that I am authorised to "
            "submit it."
        ),
        error_messages={"required": _("Tick the declaration to submit.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Why do you withdraw? (optional)"), required=False, max_length=1000)


class ClarificationAnswerForm(forms.Form):
    response = forms.CharField(label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
    attachment = forms.FileField(
        label=_("Attach a file (optional)"),
        required=False,
        help_text=_("PDF, JPEG/PNG, DOCX or XLSX, at most 10 MB."),
        error_messages={"empty": _("The file is empty. Choose the file again; if it still fails, scan it again.")},
    )
