"""The programme's monthly EUR→USD rates, kept by finance: USAID reads every amount in USD beside EUR, each payment
converted at the rate of the month it was paid in."""

from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.services import audit_record
from grants.models import ExchangeRate
from grants.permissions import can_manage_exchange_rates

RATE_DECIMALS = 6
RATE_MAX = Decimal("10000")  # usd_per_eur has 10 digits, 6 of them decimals


def month_label(month):
    return formats.date_format(month, "F Y")


def _checked_rate(value):
    try:
        rate = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError) as error:
        raise ApplicationError(
            _("“%(value)s” is not a number. Enter how many US dollars one euro buys, for example 1.085000.")
            % {"value": value},
            code="rate_invalid",
        ) from error
    if not rate.is_finite() or rate <= 0:
        raise ApplicationError(
            _("The rate must be greater than zero: enter how many US dollars one euro buys, for example 1.085000."),
            code="rate_not_positive",
        )
    if rate >= RATE_MAX:
        raise ApplicationError(
            _("The rate %(rate)s is far too large for USD per EUR. Check the number (for example 1.085000).")
            % {"rate": value},
            code="rate_too_large",
        )
    if rate.as_tuple().exponent < -RATE_DECIMALS and rate != rate.quantize(Decimal(1).scaleb(-RATE_DECIMALS)):
        raise ApplicationError(
            _("The rate %(rate)s has more than %(decimals)s decimals; round it to %(decimals)s.")
            % {"rate": value, "decimals": RATE_DECIMALS},
            code="rate_decimals",
        )
    return rate.quantize(Decimal(1).scaleb(-RATE_DECIMALS))


@transaction.atomic
def exchange_rate_set(*, actor, month, usd_per_eur, source=""):
    """Record the rate of a month, or correct it (the month is normalised to its first day). One row per month;
    each new rate and each correction leaves an audit entry on that row, with the previous value."""
    if not can_manage_exchange_rates(actor):
        raise ApplicationError(_("Only finance may record exchange rates."), code="not_allowed")
    month = month.replace(day=1)
    rate = _checked_rate(usd_per_eur)
    if month > timezone.localdate().replace(day=1):
        raise ApplicationError(
            _("%(month)s has not begun yet. Record its rate once the month has started.")
            % {"month": month_label(month)},
            code="rate_future_month",
        )
    source = (source or "").strip()
    row = ExchangeRate.objects.select_for_update().filter(month=month).first()
    if row is None:
        try:
            with transaction.atomic():
                row = ExchangeRate(month=month, usd_per_eur=rate, source=source, recorded_by=actor)
                row.full_clean()
                row.save()
        except IntegrityError:  # someone recorded the same month a moment ago: correct their row instead
            row = ExchangeRate.objects.select_for_update().get(month=month)
        else:
            audit_record(
                actor=actor,
                action="grants.exchange_rate.recorded",
                target=row,
                data={"month": month.isoformat(), "usd_per_eur": str(rate), "source": source},
            )
            return row
    return _exchange_rate_change(actor=actor, row=row, rate=rate, source=source)


def _exchange_rate_change(*, actor, row, rate, source):
    if row.usd_per_eur == rate and row.source == source:
        return row
    before = {"usd_per_eur": str(row.usd_per_eur), "source": row.source}
    row.usd_per_eur, row.source, row.recorded_by = rate, source, actor
    row.full_clean(validate_unique=False)
    row.save(update_fields=["usd_per_eur", "source", "recorded_by", "recorded_at"])
    audit_record(
        actor=actor,
        action="grants.exchange_rate.changed",
        target=row,
        data={"month": row.month.isoformat(), "before": before, "after": {"usd_per_eur": str(rate), "source": source}},
    )
    return row
