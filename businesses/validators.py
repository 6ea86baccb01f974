"""Kosovo business numbers. accounts has no NUI validator for organisations yet; when it gets one, use it here."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def validate_nui(value):
    """The unique identification number (NUI) of the Kosovo Business Registration Agency has exactly 9 digits."""
    if not (value.isdigit() and len(value) == 9):
        raise ValidationError(
            _("An NUI has exactly 9 digits; check the number on the business registration certificate."),
            code="invalid_nui",
        )


def validate_fiscal_number(value):
    """A Kosovo fiscal number has exactly 9 digits."""
    if not (value.isdigit() and len(value) == 9):
        raise ValidationError(
            _("A fiscal number has exactly 9 digits; check the number on the tax administration certificate."),
            code="invalid_fiscal_number",
        )
