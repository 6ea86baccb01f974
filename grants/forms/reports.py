"""Forms of a progress report: the grantee's parts of the draft, its rows (expenditures, cost share, files), the
submission, and the officer's review. They validate and shape input; grants.services.reports checks again and
saves. Each has a FormHelper with form_tag=False: the template owns <form> and {% csrf_token %}.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from core.choices import AgeBand, Community, Sex
from core.errors import ApplicationError
from core.uploads import DOCUMENT_TYPES, IMAGE_TYPES, checked_upload
from grants.models import CostShareContribution, ProgressReport, ReportExpenditure

BENEFICIARY_EMPTY_ROWS = 3


def _helper(*fields):
    helper = FormHelper()
    helper.form_tag = False
    if fields:
        helper.layout = Layout(*fields)
    return helper


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class CheckedFilesField(forms.FileField):
    """Several files, each recognised by its content (PDF, JPEG or PNG; or photos only)."""

    widget = MultipleFileInput

    def __init__(self, *args, allowed=DOCUMENT_TYPES, **kwargs):
        self.allowed = allowed
        accept = "image/jpeg,image/png" if allowed == IMAGE_TYPES else "application/pdf,image/jpeg,image/png"
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [file for file in (data if isinstance(data, (list, tuple)) else [data]) if file]
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        cleaned, errors = [], []
        for file in files:
            file = super().clean(file, initial)
            try:
                checked_upload(file, self.allowed)
            except ApplicationError as error:
                errors.append(forms.ValidationError(error.message, code=error.code))
            else:
                cleaned.append(file)
        if errors:
            raise forms.ValidationError(errors)
        return cleaned


class ReportProgressForm(forms.ModelForm):
    """What was done, problems, next steps, % complete and milestones completed. Every field may wait for now."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = ProgressReport
        fields = ["narrative", "problems", "next_steps", "percent_complete", "milestones_completed"]
        widgets = {
            "narrative": forms.Textarea(attrs={"rows": 8}),
            "problems": forms.Textarea(attrs={"rows": 4}),
            "next_steps": forms.Textarea(attrs={"rows": 4}),
            "percent_complete": forms.NumberInput(attrs={"min": 0, "max": 100, "inputmode": "numeric"}),
            "milestones_completed": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        milestones = self.fields["milestones_completed"]
        milestones.queryset = self.instance.grant.milestones.all()
        milestones.label_from_instance = lambda m: m.description
        milestones.help_text = _("Tick the milestones this report shows as reached; the programme verifies them.")
        self.fields["percent_complete"].help_text = _("Of the whole project, from 0 to 100.")
        self.helper = _helper("version", *self.Meta.fields)


class VersionForm(forms.Form):
    """The version of the report the page showed (for the parts that are not a model form)."""

    version = forms.IntegerField(widget=forms.HiddenInput)


def _choices(choices):
    return [("", "—"), *choices]


class BeneficiaryRowForm(forms.Form):
    community = forms.ChoiceField(label=_("Community"), choices=_choices(Community.choices), required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=_choices(Sex.choices), required=False)
    age_band = forms.ChoiceField(label=_("Age"), choices=_choices(AgeBand.choices), required=False)
    count = forms.IntegerField(
        label=_("People"),
        min_value=0,
        max_value=1_000_000,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def clean(self):
        cleaned = super().clean()
        values = [cleaned.get(name) for name in ("community", "sex", "age_band")]
        count = cleaned.get("count")
        started, complete = any(values) or count, all(values) and count is not None
        if started and not complete:
            raise forms.ValidationError(
                _("Fill in community, sex, age band and the number of people, or leave the whole row empty.")
            )
        return cleaned

    def row(self):
        data = self.cleaned_data
        if self.cleaned_data.get("DELETE") or not data.get("count"):
            return None
        return {name: data[name] for name in ("community", "sex", "age_band", "count")}


class BaseBeneficiaryFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = {}
        for index, form in enumerate(self.forms, start=1):
            row = form.row()
            if row is None:
                continue
            cell = (row["community"], row["sex"], row["age_band"])
            if cell in seen:
                form.add_error(
                    None,
                    _(
                        "This community, sex and age band is already on row %(row)s. Add the numbers together in "
                        "one row and empty this one."
                    )
                    % {"row": seen[cell]},
                )
            else:
                seen[cell] = index
        if any(self.errors):
            raise forms.ValidationError(_("The same group of people appears on two rows."))

    def rows(self):
        return [row for form in self.forms if (row := form.row())]


BeneficiaryFormSet = forms.formset_factory(
    BeneficiaryRowForm, formset=BaseBeneficiaryFormSet, extra=BENEFICIARY_EMPTY_ROWS, can_delete=True, max_num=200
)


def beneficiary_formset(report, data=None):
    initial = [
        {"community": b.community, "sex": b.sex, "age_band": b.age_band, "count": b.count}
        for b in report.beneficiaries.all()
    ]
    return BeneficiaryFormSet(data, initial=initial, prefix="people")


class ExpenditureForm(forms.ModelForm):
    receipts = CheckedFilesField(
        label=_("Receipts"),
        required=False,
        help_text=_("PDF, JPEG or PNG (scan or photo), several at once if you like. You can also add them later."),
    )

    class Meta:
        model = ReportExpenditure
        fields = ["budget_line", "description", "spent_on", "amount"]
        widgets = {
            "spent_on": _date_input(),
            "amount": forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        }

    def __init__(self, *args, report, tolerance_days, **kwargs):
        super().__init__(*args, **kwargs)
        line = self.fields["budget_line"]
        line.queryset = report.grant.budget_lines.all()
        line.label_from_instance = lambda item: f"{item.get_category_display()} · {item.description}"
        self.fields["spent_on"].help_text = _(
            "Within the report's period; a date up to %(days)s days before or after it is accepted too."
        ) % {"days": tolerance_days}
        self.helper = _helper()


class ContributionForm(forms.ModelForm):
    evidence = CheckedFilesField(
        label=_("Evidence"),
        required=False,
        help_text=_("A bank statement, invoice, signed list or photo (PDF, JPEG or PNG). You can also add it later."),
    )

    class Meta:
        model = CostShareContribution
        fields = ["kind", "description", "value"]
        widgets = {"value": forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class AttachForm(forms.Form):
    """More files for one row (receipts of an expenditure, evidence of a contribution), or photos of the report."""

    item = forms.IntegerField(widget=forms.HiddenInput, required=False)
    files = CheckedFilesField(label=_("Files"))

    def __init__(self, *args, photos=False, **kwargs):
        super().__init__(*args, **kwargs)
        if photos:
            self.fields["files"] = CheckedFilesField(
                label=_("Photos"), allowed=IMAGE_TYPES, help_text=_("JPEG or PNG, several at once if you like.")
            )
        self.helper = _helper()


class SubmitForm(VersionForm):
    none_reached = forms.BooleanField(
        label=_("No one was reached in this period"),
        required=False,
        help_text=_("Tick this only if the report counts no people (for example, a period of procurement only)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("version", "none_reached")


class ReviewForm(forms.Form):
    ACCEPT, REVISE = "accept", "revise"
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(ACCEPT, _("Accept the report")), (REVISE, _("Ask the grantee for a revision"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment to the grantee"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Needed when you ask for a revision: say what to change."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.REVISE and not (cleaned.get("comment") or "").strip():
            self.add_error("comment", _("Write what the grantee should change: the comment is sent to them."))
        return cleaned
