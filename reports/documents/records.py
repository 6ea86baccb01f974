"""The records behind a figure (XLSX or CSV): the drill-down list of one calculation for the run's period and
breakdown filters, with the columns its record kind defines (reports.records), streamed in chunks.

params = {"calculation": key, "filters": [[dimension, part], …], "numerator": bool (a share's numerator only)}.
"""

from django.utils.translation import gettext as _

from core.spreadsheets import write_csv, write_xlsx
from reports.calculations import registry
from reports.documents import Rendered, document
from reports.records import RECORD_KINDS

CHUNK = 2000


def records_queryset(run):
    """(calculation, record kind, queryset) of the run's drill-down; ValueError when the parameters are wrong."""
    from reports.services.runs import run_period

    params = run.params or {}
    calculation = registry.get(params.get("calculation") or "")
    if calculation is None:
        raise ValueError(f"Unknown calculation {params.get('calculation')!r}")
    record_kind = RECORD_KINDS[calculation.record_kind]
    period = run_period(run)
    filters = [(code, part) for code, part in params.get("filters") or []]
    if params.get("numerator") and hasattr(calculation, "numerator_records"):
        queryset = calculation.numerator_records(period, filters)
    else:
        queryset = calculation.records_for(period, filters)
    return calculation, record_kind, record_kind.prepared(queryset)


@document("records", formats=("xlsx", "csv"))
def render(run, progress):
    calculation, record_kind, queryset = records_queryset(run)
    progress(5, _("Reading the records"))
    total = queryset.count()
    rows_written = 0

    def rows():
        nonlocal rows_written
        for record in queryset.iterator(chunk_size=CHUNK):
            yield record_kind.row(record)
            rows_written += 1
            if total and rows_written % CHUNK == 0:
                progress(5 + 90 * rows_written // total, _("%(count)s records written") % {"count": rows_written})

    if run.format == "csv":
        content, count = write_csv(record_kind.headers(), rows())
    else:
        content, count = write_xlsx(record_kind.headers(), rows(), title=record_kind.label)
    figures = {
        "count": count,
        "calculation": calculation.key,
        "filters": [list(f) for f in run.params.get("filters") or []],
        "numerator": bool(run.params.get("numerator")),
    }
    return Rendered(content=content, figures=figures)
