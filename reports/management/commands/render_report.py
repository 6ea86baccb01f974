"""Render a report document without the web and without a saved run, for operators and benchmarks.

manage.py render_report indicator_table --fy 2027 --quarter 1 --lang en --format pdf --out table.pdf
manage.py render_report municipality --fy 2027 --municipality gjilan --lang sq --out gjilan.pdf
manage.py render_report grants_list --from 2026-10-01 --to 2027-03-31 --format xlsx --out grants.xlsx
"""

import datetime
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from municipalities.models import Municipality
from reports import documents
from reports.models import ReportKind, ReportRun, RunStatus
from reports.periods import Period


def _date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value}") from exc


class Command(BaseCommand):
    help = "Render a report (the same document a report run renders) to a file, synchronously."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=[k.value for k in ReportKind if k != ReportKind.RECORDS])
        parser.add_argument("--fy", type=int, help="Fiscal year (FY 2027 = 1.10.2026–30.9.2027).")
        parser.add_argument("--quarter", type=int, choices=[1, 2, 3, 4])
        parser.add_argument("--from", dest="date_from", help="First day, YYYY-MM-DD (with --to, instead of --fy).")
        parser.add_argument("--to", dest="date_to", help="Last day, YYYY-MM-DD.")
        parser.add_argument("--municipality", help="Municipality code (for the municipality report).")
        parser.add_argument("--lang", default="en", choices=[code for code, _label in settings.LANGUAGES])
        parser.add_argument("--format", dest="format", help="pdf, xlsx or csv (default: the first the report offers).")
        parser.add_argument("--out", required=True, help="The file to write.")

    def handle(self, *args, **options):
        kind = options["kind"]
        document = documents.get(kind)
        if document is None:
            raise CommandError(f"The {kind} document is not available.")
        export_format = options["format"] or document.formats[0]
        if export_format not in document.formats:
            raise CommandError(f"{kind} comes as {', '.join(document.formats)} only.")
        period = self._period(options)
        municipality = None
        if options["municipality"]:
            municipality = Municipality.objects.filter(code=options["municipality"]).first()
            if municipality is None:
                raise CommandError(f"No municipality with the code {options['municipality']}.")
        elif kind == ReportKind.MUNICIPALITY:
            raise CommandError("The municipality report needs --municipality CODE.")
        now = timezone.now()
        run = ReportRun(  # never saved: the document reads its parameters from it
            kind=kind,
            format=export_format,
            language=options["lang"],
            params={},
            period_start=period.start,
            period_end=period.end,
            fiscal_year=period.fiscal_year,
            quarter=period.quarter,
            municipality=municipality,
            status=RunStatus.RUNNING,
            data_read_at=now,
            started_at=now,
        )
        verbosity = options["verbosity"]

        def progress(percent, note=""):
            if verbosity >= 2:
                self.stderr.write(f"{percent:3d} % {note}")

        started = time.perf_counter()
        with translation.override(run.language):
            rendered = document.render(run, progress)
        seconds = time.perf_counter() - started
        with open(options["out"], "wb") as out:
            out.write(rendered.content)
        pages = rendered.pages if rendered.pages is not None else "-"
        self.stdout.write(f"{options['out']}: pages {pages}, bytes {len(rendered.content)}, seconds {seconds:.2f}")

    def _period(self, options):
        if options["date_from"] or options["date_to"]:
            if not (options["date_from"] and options["date_to"]):
                raise CommandError("Give both --from and --to.")
            if options["fy"] or options["quarter"]:
                raise CommandError("Give either --fy (and --quarter) or --from and --to.")
            start, end = _date(options["date_from"]), _date(options["date_to"])
            if end < start:
                raise CommandError("The period cannot end before it starts.")
            return Period.dates(start, end)
        if not options["fy"]:
            raise CommandError("Give --fy YEAR (and --quarter Q), or --from and --to.")
        if options["quarter"]:
            return Period.fiscal_quarter(options["fy"], options["quarter"])
        return Period.fiscal_year(options["fy"])
