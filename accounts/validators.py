from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def validate_kosovo_personal_number(value):
    """A Kosovo personal number has exactly 10 digits."""
    if not (value.isdigit() and len(value) == 10):
        raise ValidationError(
            _("A Kosovo personal number has exactly 10 digits; check the number on the ID card."),
            code="invalid_personal_number",
        )


def validate_jmbg(value):
    """A Serbian JMBG has 13 digits, the last one a check digit (modulo 11)."""
    if not (value.isdigit() and len(value) == 13):
        raise ValidationError(_("A JMBG has exactly 13 digits; check the number on the ID card."), code="invalid_jmbg")
    digits = [int(c) for c in value]
    weights = [7, 6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
    check = 11 - sum(d * w for d, w in zip(digits[:12], weights, strict=True)) % 11
    if check > 9:
        check = 0
    if check != digits[12]:
        raise ValidationError(
            _("This JMBG is not valid (its check digit does not match); check each digit again."),
            code="invalid_jmbg_checksum",
        )


def validate_phone(value):
    allowed = set("0123456789 +-()/")
    digits = sum(c.isdigit() for c in value)
    if not set(value) <= allowed or not 6 <= digits <= 15:
        raise ValidationError(
            _("Enter a phone number of 6 to 15 digits, for example +383 44 123 456."), code="invalid_phone"
        )
