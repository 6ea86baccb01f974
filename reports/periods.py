"""USAID's fiscal year and its quarters, and the reporting periods built from them.

FY 2027 runs from 1 October 2026 to 30 September 2027; Q1 is October–December, Q2 January–March, Q3 April–June
and Q4 July–September. A period is inclusive on both ends (`start` ≤ day ≤ `end`), so a record dated
30 September belongs to the fiscal year that ends that day and one dated 1 October to the next.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _


def fiscal_year_of(day):
    """The fiscal year `day` belongs to: FY 2027 runs from 1 October 2026 to 30 September 2027."""
    return day.year + 1 if day.month >= 10 else day.year


def quarter_of(day):
    """The fiscal quarter (1–4) of `day`: Q1 is October–December."""
    return (day.month - 10) % 12 // 3 + 1


@dataclass(frozen=True)
class Period:
    """A reporting period: `start` and `end` are both included. `fiscal_year`/`quarter` say how it was chosen."""

    start: datetime.date
    end: datetime.date
    fiscal_year: int | None = None
    quarter: int | None = None

    def __post_init__(self):
        # The field shares its name with the `fiscal_year` constructor below, which a dataclass would take as the
        # field's default: a period built without a fiscal year must say None.
        if not isinstance(self.fiscal_year, int):
            object.__setattr__(self, "fiscal_year", None)

    @classmethod
    def fiscal_year(cls, year):  # noqa: F811 - the constructor; __post_init__ keeps the field's default None
        return cls(datetime.date(year - 1, 10, 1), datetime.date(year, 9, 30), fiscal_year=year)

    @classmethod
    def fiscal_quarter(cls, year, quarter):
        if quarter not in (1, 2, 3, 4):
            raise ValueError("A fiscal quarter is 1, 2, 3 or 4.")
        first_month = (10, 1, 4, 7)[quarter - 1]
        first_year = year - 1 if quarter == 1 else year
        start = datetime.date(first_year, first_month, 1)
        next_month = first_month + 3
        after = datetime.date(first_year + (next_month > 12), (next_month - 1) % 12 + 1, 1)
        return cls(start, after - datetime.timedelta(days=1), fiscal_year=year, quarter=quarter)

    @classmethod
    def dates(cls, start, end):
        if end < start:
            raise ValueError("A period cannot end before it starts.")
        return cls(start, end, fiscal_year=None)

    @classmethod
    def life_of_programme(cls, until):
        """From the programme's first day to `until` (the end of a reporting period): cumulative figures."""
        from django.conf import settings

        return cls(settings.PROGRAMME_START_DATE, until, fiscal_year=None)

    @property
    def quarters(self):
        """The four quarters of a fiscal-year period (empty for other periods)."""
        if self.fiscal_year is None or self.quarter is not None:
            return []
        return [Period.fiscal_quarter(self.fiscal_year, q) for q in (1, 2, 3, 4)]

    @property
    def label(self):
        if self.quarter:
            return _("FY%(year)s Q%(quarter)s") % {"year": self.fiscal_year, "quarter": self.quarter}
        if self.fiscal_year:
            return _("FY%(year)s") % {"year": self.fiscal_year}
        return f"{self.start:%d.%m.%Y} – {self.end:%d.%m.%Y}"

    @property
    def dates_label(self):
        return f"{self.start:%d.%m.%Y} – {self.end:%d.%m.%Y}"

    def as_params(self):
        """Query-string parameters that give this period back through `period_from_params`."""
        if self.quarter:
            return {"fy": self.fiscal_year, "q": self.quarter}
        if self.fiscal_year:
            return {"fy": self.fiscal_year}
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}

    def contains(self, day):
        return self.start <= day <= self.end

    def datetime_bounds(self):
        """Aware datetimes [start, after) for filtering DateTimeFields in the programme's time zone."""
        tz = timezone.get_current_timezone()
        first = datetime.datetime.combine(self.start, datetime.time.min, tzinfo=tz)
        after = datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
        return first, after


def current_fiscal_year():
    return fiscal_year_of(timezone.localdate())


def period_from_params(params, *, default_fy=None):
    """The period a request asks for (`fy` and optional `q`, or `from` and `to`); the current FY when none.

    Raises ValueError with a message for people when the parameters do not make a period.
    """
    start, end = params.get("from"), params.get("to")
    if start or end:
        try:
            start_day = datetime.date.fromisoformat(start or "")
            end_day = datetime.date.fromisoformat(end or "")
        except ValueError as exc:
            raise ValueError(_("Give both dates of the period as YYYY-MM-DD.")) from exc
        if end_day < start_day:
            raise ValueError(_("The period cannot end before it starts."))
        return Period.dates(start_day, end_day)
    try:
        year = int(params.get("fy") or default_fy or current_fiscal_year())
        quarter = int(params["q"]) if params.get("q") else None
    except (TypeError, ValueError) as exc:
        raise ValueError(_("Choose a fiscal year and, if you want, a quarter (1–4).")) from exc
    if not 2000 <= year <= 2100:
        raise ValueError(_("Choose a fiscal year between 2000 and 2100."))
    if quarter is None:
        return Period.fiscal_year(year)
    if quarter not in (1, 2, 3, 4):
        raise ValueError(_("A quarter is 1, 2, 3 or 4."))
    return Period.fiscal_quarter(year, quarter)
