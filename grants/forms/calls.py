"""Staff forms for a call for proposals and the rows it owns (required documents, questions, criteria).

They validate and shape input only; grants.services.calls saves it.
"""

from crispy_forms.bootstrap import InlineCheckboxes
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.core.validators import RegexValidator
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from grants.models import (
    ApplicantType,
    BudgetCategory,
    Call,
    CallCriterion,
    CallDocument,
    CallQuestion,
    CallStatus,
    DocumentType,
    QuestionKind,
)
from municipalities.selectors import partner_municipalities

LOCAL_INPUT_FORMAT = "%Y-%m-%dT%H:%M"
REQUIRED = {"required": _("This field is required: fill it in.")}


class LocalDateTimeInput(forms.DateTimeInput):
    """A date-time picker in the site's time zone; browsers without one show a text box that accepts the same."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=LOCAL_INPUT_FORMAT)


def _local_datetime_field(label):
    return forms.DateTimeField(
        label=label,
        input_formats=[LOCAL_INPUT_FORMAT, "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"],
        widget=LocalDateTimeInput(),
        help_text=_("Local time in Kosovo, for example 2027-03-01 09:00."),
        error_messages={
            "required": _("Enter the date and time."),
            "invalid": _("Enter a date and time such as 2027-03-01 09:00 (year-month-day hour:minute)."),
        },
    )


class MunicipalityChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


def _group(legend, *fields):
    return Fieldset(legend, *fields, css_class="border rounded px-3 pt-2 mb-3")


class CallForm(forms.ModelForm):
    """Everything of a call but its status, which only the publish and close buttons change."""

    opens_at = _local_datetime_field(_("Opens at"))
    closes_at = _local_datetime_field(_("Closes at (deadline)"))
    all_municipalities = forms.BooleanField(
        label=_("All partner municipalities"),
        required=False,
        help_text=_("Tick this instead of ticking each municipality below."),
    )
    eligible_municipalities = MunicipalityChoiceField(
        label=_("Eligible municipalities"),
        queryset=partner_municipalities(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Needed before the call can be published."),
    )
    eligible_applicant_types = forms.MultipleChoiceField(
        label=_("Who may apply"),
        choices=ApplicantType.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one type of applicant who may apply.")},
    )
    budget_categories = forms.MultipleChoiceField(
        label=_("Budget categories allowed"),
        choices=BudgetCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one budget category that applicants may use.")},
    )

    class Meta:
        model = Call
        fields = [
            "code",
            "component",
            "title_sq",
            "text_sq",
            "title_sr",
            "text_sr",
            "title_sr_cyrl",
            "text_sr_cyrl",
            "title_en",
            "text_en",
            "opens_at",
            "closes_at",
            "eligible_applicant_types",
            "eligible_municipalities",
            "min_amount",
            "max_amount",
            "min_cost_share_percent",
            "budget_categories",
            "min_reviewers",
        ]
        widgets = {
            field: forms.Textarea(attrs={"rows": 6}) for field in ("text_sq", "text_sr", "text_sr_cyrl", "text_en")
        }
        error_messages = {
            "code": {
                "unique": _("Another call already uses this code; choose a different one."),
                **REQUIRED,
            },
            "component": {"required": _("Choose the component of the programme this call belongs to.")},
            "title_sq": {"required": _("Write the title in Albanian: every call needs one.")},
            "text_sq": {"required": _("Write the full text in Albanian: every call needs one.")},
            "min_amount": {"required": _("Enter the smallest grant in euro, for example 1000.")},
            "max_amount": {"required": _("Enter the largest grant in euro, for example 10000.")},
        }

    code_validator = RegexValidator(
        r"^[A-Za-z0-9][A-Za-z0-9-]*$",
        _("Use only letters, digits and hyphens, for example CE-2027-01."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].validators.append(self.code_validator)
        if self.instance.pk and self.instance.status != CallStatus.DRAFT:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = _("The code cannot change once the call is published.")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            _group(
                _("The call"),
                Row(Column("code", css_class="col-12 col-md-6"), Column("component", css_class="col-12 col-md-6")),
            ),
            _group(_("Albanian"), "title_sq", "text_sq"),
            _group(_("Serbian (Latin)"), "title_sr", "text_sr"),
            _group(_("Serbian (Cyrillic)"), "title_sr_cyrl", "text_sr_cyrl"),
            _group(_("English"), "title_en", "text_en"),
            _group(
                _("Dates"),
                Row(Column("opens_at", css_class="col-12 col-md-6"), Column("closes_at", css_class="col-12 col-md-6")),
            ),
            _group(_("Eligibility"), "eligible_applicant_types", "all_municipalities", "eligible_municipalities"),
            _group(
                _("Money and review"),
                Row(
                    Column("min_amount", css_class="col-12 col-md-4"),
                    Column("max_amount", css_class="col-12 col-md-4"),
                    Column("min_cost_share_percent", css_class="col-12 col-md-4"),
                ),
                "budget_categories",
                "min_reviewers",
            ),
        )

    def clean_code(self):
        return (self.cleaned_data.get("code") or "").strip().upper()

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("all_municipalities"):
            cleaned_data["eligible_municipalities"] = list(self.fields["eligible_municipalities"].queryset)
        return cleaned_data


class _RowForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class CallDocumentForm(_RowForm):
    # Not required here: the model's own check says "Choose at least one file type." (once).
    allowed_types = forms.MultipleChoiceField(
        label=_("Allowed file types"), choices=DocumentType.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = CallDocument
        fields = ["name_sq", "name_sr", "name_en", "required", "allowed_types", "order"]
        error_messages = {"name_sq": {"required": _("Write the document's name in Albanian.")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            "name_sq",
            Row(Column("name_sr", css_class="col-12 col-md-6"), Column("name_en", css_class="col-12 col-md-6")),
            InlineCheckboxes("allowed_types"),
            Row(Column("required", css_class="col-6"), Column("order", css_class="col-6")),
            "DELETE",
        )


def parse_choices(text):
    """Read "value | label sq | label sr | label en" lines into the list of options a choice question stores."""
    options, errors, seen = [], [], set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) > 4 or not parts[0]:
            errors.append(
                _("Line %(number)s: write the value first, then up to three labels, separated by “|”.")
                % {"number": number}
            )
            continue
        value = parts[0]
        if value in seen:
            errors.append(
                _("Line %(number)s: the value “%(value)s” is used twice; give each option its own value.")
                % {"number": number, "value": value}
            )
        seen.add(value)
        labels = [*parts[1:], "", "", ""][:3]
        options.append({"value": value, "label_sq": labels[0] or value, "label_sr": labels[1], "label_en": labels[2]})
    if errors:
        raise forms.ValidationError(errors)
    return options


def choices_to_text(options):
    lines = []
    for option in options or []:
        parts = [
            option.get("value", ""),
            option.get("label_sq", ""),
            option.get("label_sr", ""),
            option.get("label_en", ""),
        ]
        while len(parts) > 1 and not parts[-1]:
            parts.pop()
        lines.append(" | ".join(parts))
    return "\n".join(lines)


class CallQuestionForm(_RowForm):
    choices = forms.CharField(
        label=_("Options (for a choice question)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One option per line: value | label sq | label sr | label en, e.g. youth | Të rinjtë | Mladi | Youth"
        ),
    )

    class Meta:
        model = CallQuestion
        fields = [
            "key",
            "kind",
            "required",
            "label_sq",
            "label_sr",
            "label_en",
            "help_sq",
            "help_sr",
            "help_en",
            "choices",
            "order",
        ]
        error_messages = {
            "key": {"required": _("Give the question a short key, for example project-summary.")},
            "kind": {"required": _("Choose what kind of answer the question expects.")},
            "label_sq": {"required": _("Write the question in Albanian.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["choices"] = choices_to_text(self.instance.choices)
        self.helper.layout = Layout(
            Row(
                Column("key", css_class="col-12 col-md-4"),
                Column("kind", css_class="col-12 col-md-4"),
                Column("order", css_class="col-6 col-md-2"),
                Column("required", css_class="col-6 col-md-2"),
            ),
            "label_sq",
            Row(Column("label_sr", css_class="col-12 col-md-6"), Column("label_en", css_class="col-12 col-md-6")),
            Row(
                Column("help_sq", css_class="col-12 col-md-4"),
                Column("help_sr", css_class="col-12 col-md-4"),
                Column("help_en", css_class="col-12 col-md-4"),
            ),
            "choices",
            "DELETE",
        )

    def has_changed(self):
        # The options are shown as text, so compare what was typed with the stored options as text.
        changed = [name for name in self.changed_data if name != "choices"]
        typed = (self.data.get(self.add_prefix("choices")) or "").strip()
        return bool(changed) or typed != choices_to_text(self.instance.choices).strip()

    def clean_choices(self):
        return parse_choices(self.cleaned_data.get("choices") or "")

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("kind") and cleaned_data["kind"] != QuestionKind.CHOICE:
            cleaned_data["choices"] = []
        return cleaned_data


class CallCriterionForm(_RowForm):
    class Meta:
        model = CallCriterion
        fields = ["name_sq", "name_sr", "name_en", "weight", "max_score", "order"]
        error_messages = {"name_sq": {"required": _("Write the criterion in Albanian.")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            "name_sq",
            Row(Column("name_sr", css_class="col-12 col-md-6"), Column("name_en", css_class="col-12 col-md-6")),
            Row(
                Column("weight", css_class="col-12 col-sm-4"),
                Column("max_score", css_class="col-12 col-sm-4"),
                Column("order", css_class="col-12 col-sm-4"),
            ),
            "DELETE",
        )


# The inline rows of the call page, by formset prefix: (model, form).
ROW_FORMSETS = {
    "documents": (CallDocument, CallDocumentForm),
    "questions": (CallQuestion, CallQuestionForm),
    "criteria": (CallCriterion, CallCriterionForm),
}


def call_row_formsets(*, call, data=None):
    """The three inline formsets of the call page, with three empty rows while a list is empty and one after."""
    formsets = {}
    for prefix, (model, form) in ROW_FORMSETS.items():
        has_rows = call.pk is not None and model.objects.filter(call=call).exists()
        formset_class = inlineformset_factory(Call, model, form=form, extra=1 if has_rows else 3, can_delete=True)
        formsets[prefix] = formset_class(data=data, instance=call, prefix=prefix)
    return formsets


def changed_rows(formsets):
    """From valid formsets: (rows to save, rows to delete), unsaved, for grants.services.calls.call_save_with_rows."""
    rows, deleted = [], []
    for formset in formsets.values():
        rows.extend(formset.save(commit=False))
        deleted.extend(formset.deleted_objects)
    return rows, deleted
