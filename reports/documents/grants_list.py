"""The grants list (PDF and XLSX): every grant that was in force at some time during the run's period.

Which grants: those whose agreement was signed on or before the last day of the period and that were not closed
before its first day. A grant awaiting signature is not listed (it has no agreement yet); a grant signed in the
period is marked "signed in period". Terminated grants stay listed with their status: the model keeps no date of
termination, so the list cannot tell when one stopped.

Figures, per grant: the amount in EUR and in USD (at the exchange rate of the month the agreement was signed; when
finance recorded no rate for that month, at the latest rate recorded up to the end of the period; "—" when there is
none), the cost share committed, and what was paid up to the last day of the period (tranche payments of cash
grants, deliveries of in-kind grants, as grants.selectors_money counts them). The status is the grant's status
when the document is rendered.

One query reads every row (the sums are correlated subqueries), so the cost does not grow with the number of
grants beyond the rows themselves; the totals are the sums of the printed rows.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO

from django.db.models import Case, DateField, DecimalField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from weasyprint import HTML

from core.pdf import DOCUMENT_BASE_URL, StaticOnlyURLFetcher
from core.spreadsheets import xlsx_text
from grants.models import ExchangeRate, Grant, InKindDelivery, InstrumentType, TranchePayment
from reports.documents import Rendered, document
from reports.periods import Period

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
MONEY = DecimalField(max_digits=20, decimal_places=2)
NO_VALUE = "—"
MONEY_FORMAT = "#,##0.00"
RATE_FORMAT = "0.000000"


# --- Reading -----------------------------------------------------------------------------------------------------
def _sum_of(queryset, value_field):
    """A correlated subquery: the sum of `value_field` over `queryset` (filtered on OuterRef), or 0."""
    total = queryset.order_by().annotate(one=Value(1)).values("one").annotate(total=Sum(value_field)).values("total")
    return Coalesce(Subquery(total[:1]), Value(ZERO), output_field=MONEY)


def period_of(run):
    return Period(run.period_start, run.period_end, fiscal_year=run.fiscal_year, quarter=run.quarter)


def grants_in_force(period):
    """The grants of the list for `period`, with the figures of each row annotated, ordered by number."""
    first, after = period.datetime_bounds()
    payments = TranchePayment.objects.filter(tranche__grant=OuterRef("pk"), paid_on__lte=period.end)
    deliveries = InKindDelivery.objects.filter(grant=OuterRef("pk"), delivered_on__lte=period.end)
    return (
        Grant.objects.filter(signed_at__isnull=False, signed_at__lt=after)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=first))
        .select_related(
            "application__call",
            "application__municipality",
            "application__organisation",
            "application__person",
            "application__applicant",
        )
        .annotate(
            signed_month=TruncMonth("signed_at", output_field=DateField()),
            paid_cash=_sum_of(payments, "amount"),
            paid_in_kind=_sum_of(deliveries, "value"),
        )
        .annotate(
            signing_rate=Subquery(
                ExchangeRate.objects.filter(month=OuterRef("signed_month")).values("usd_per_eur")[:1]
            ),
            paid=Case(
                When(instrument=InstrumentType.IN_KIND, then="paid_in_kind"), default="paid_cash", output_field=MONEY
            ),
        )
        .order_by("number", "pk")
    )


def latest_rate_until(day):
    """The most recent monthly rate recorded for a month up to `day` (None when finance recorded none)."""
    return ExchangeRate.objects.filter(month__lte=day).order_by("-month").first()


def grantee_name(grant):
    """The organisation that holds the grant, or else the person (or the account) who applied."""
    application = grant.application
    if application.organisation_id:
        return application.organisation.name
    if application.person_id:
        return str(application.person)
    return str(application.applicant)


@dataclass
class GrantRow:
    number: str
    grantee: str
    component: str
    municipality: str
    instrument: str
    signed_on: object
    signed_in_period: bool
    start_date: object
    end_date: object
    amount: Decimal
    amount_usd: Decimal | None
    rate: Decimal | None
    rate_is_latest: bool
    cost_share: Decimal
    paid: Decimal
    status: str


def _cents(value):
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def grant_row(grant, period, fallback_rate):
    signed_on = timezone.localtime(grant.signed_at).date()
    rate = grant.signing_rate
    rate_is_latest = rate is None and fallback_rate is not None
    if rate is None and fallback_rate is not None:
        rate = fallback_rate.usd_per_eur
    municipality = grant.application.municipality
    return GrantRow(
        number=grant.number,
        grantee=grantee_name(grant),
        component=grant.application.call.get_component_display(),
        municipality=municipality.name_in(get_language()) if municipality else "",
        instrument=grant.get_instrument_display(),
        signed_on=signed_on,
        signed_in_period=period.contains(signed_on),
        start_date=grant.start_date,
        end_date=grant.end_date,
        amount=grant.amount,
        amount_usd=_cents(grant.amount * rate) if rate is not None else None,
        rate=rate,
        rate_is_latest=rate_is_latest,
        cost_share=grant.cost_share_committed,
        paid=_cents(grant.paid),
        status=grant.get_status_display(),
    )


@dataclass
class Totals:
    grants: int = 0
    signed_in_period: int = 0
    amount: Decimal = ZERO
    amount_usd: Decimal | None = ZERO
    cost_share: Decimal = ZERO
    paid: Decimal = ZERO

    def add(self, row):
        self.grants += 1
        self.signed_in_period += row.signed_in_period
        self.amount += row.amount
        self.cost_share += row.cost_share
        self.paid += row.paid
        # The USD total is given only when every row has its USD amount (as in grants.selectors_money).
        self.amount_usd = (
            None if self.amount_usd is None or row.amount_usd is None else self.amount_usd + row.amount_usd
        )


def grants_list(period):
    """(rows, totals, fallback rate) of the list for `period`: two queries whatever the number of grants."""
    fallback = latest_rate_until(period.end)
    rows, totals = [], Totals()
    for grant in grants_in_force(period).iterator(chunk_size=2000):
        row = grant_row(grant, period, fallback)
        rows.append(row)
        totals.add(row)
    return rows, totals, fallback


def figures_of(period, totals):
    return {
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "grants": totals.grants,
        "signed_in_period": totals.signed_in_period,
        "amount_total": str(totals.amount),
        "amount_usd_total": str(totals.amount_usd) if totals.amount_usd is not None else None,
        "cost_share_total": str(totals.cost_share),
        "paid_total": str(totals.paid),
    }


# --- Rendering ---------------------------------------------------------------------------------------------------
def headers():
    return [
        _("Grant"),
        _("Grantee"),
        _("Component"),
        _("Municipality"),
        _("Instrument"),
        _("Signed"),
        _("Signed in period"),
        _("Starts"),
        _("Ends"),
        _("Amount (EUR)"),
        _("Amount (USD)"),
        _("USD per EUR"),
        _("Cost share committed (EUR)"),
        _("Paid to date (EUR)"),
        _("Status"),
    ]


def _yes(flag):
    return _("Yes") if flag else ""


def xlsx_cell(sheet, value, number_format=None, bold=False):
    """A write-only cell: text made formula-safe, dates and numbers as themselves with a display format."""
    if isinstance(value, str):
        value = xlsx_text(value)
    cell = WriteOnlyCell(sheet, value=value)
    if hasattr(value, "strftime"):
        cell.number_format = "dd.mm.yyyy"
    elif number_format and value is not None:
        cell.number_format = number_format
    if bold:
        cell.font = Font(bold=True)
    return cell


def xlsx_row(sheet, values, formats=None, bold=False):
    formats = formats or {}
    sheet.append([xlsx_cell(sheet, value, formats.get(index), bold) for index, value in enumerate(values)])


def workbook_bytes(workbook):
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


_XLSX_FORMATS = {9: MONEY_FORMAT, 10: MONEY_FORMAT, 11: RATE_FORMAT, 12: MONEY_FORMAT, 13: MONEY_FORMAT}


def render_xlsx(period, rows, totals):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(_("Grants"))[:31])
    xlsx_row(sheet, [_("Grants list"), period.label, period.dates_label], bold=True)
    xlsx_row(sheet, headers(), bold=True)
    for row in rows:
        xlsx_row(
            sheet,
            [
                row.number,
                row.grantee,
                row.component,
                row.municipality,
                row.instrument,
                row.signed_on,
                _yes(row.signed_in_period),
                row.start_date,
                row.end_date,
                row.amount,
                row.amount_usd if row.amount_usd is not None else NO_VALUE,
                row.rate if row.rate is not None else NO_VALUE,
                row.cost_share,
                row.paid,
                row.status,
            ],
            _XLSX_FORMATS,
        )
    total_usd = totals.amount_usd if totals.amount_usd is not None else NO_VALUE
    xlsx_row(
        sheet,
        [
            _("Total"),
            _("%(count)s grants") % {"count": totals.grants},
            "",
            "",
            "",
            "",
            totals.signed_in_period,
            "",
            "",
            totals.amount,
            total_usd,
            "",
            totals.cost_share,
            totals.paid,
            "",
        ],
        _XLSX_FORMATS,
        bold=True,
    )
    return workbook_bytes(workbook)


def render_pdf_document(period, rows, totals, fallback):
    context = {
        "period": period,
        "rows": rows,
        "totals": totals,
        "fallback_rate": fallback,
        "any_latest_rate": any(row.rate_is_latest for row in rows),
        "document_language": get_language(),
        "no_value": NO_VALUE,
    }
    html = render_to_string("reports/pdf/grants_list.html", context)
    rendered = HTML(string=html, base_url=DOCUMENT_BASE_URL, url_fetcher=StaticOnlyURLFetcher()).render()
    return rendered.write_pdf(), len(rendered.pages)


@document("grants_list", formats=("pdf", "xlsx"))
def render(run, progress):
    period = period_of(run)
    progress(10, _("Reading the grants"))
    rows, totals, fallback = grants_list(period)
    progress(50, _("Writing the document"))
    if run.format == "xlsx":
        content, pages = render_xlsx(period, rows, totals), None
    else:
        content, pages = render_pdf_document(period, rows, totals, fallback)
    progress(95, _("Document written"))
    return Rendered(content=content, figures=figures_of(period, totals), pages=pages)
