"""Writing a progress report: the grantee saves drafts part by part, adds expenditures with receipts, cost-share
contributions with evidence, and photos. Drafts may be incomplete; report_submit checks completeness.

Every write locks the grant row, then the report (the order every report service keeps), checks that the actor may
edit it, and counts one more change in `version`. The text parts carry the version the page showed, so a second tab
is refused instead of overwriting the first; adding or removing a row needs no version (it overwrites nothing).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.choices import AgeBand, Community, Sex
from core.errors import ApplicationError
from core.uploads import DOCUMENT_TYPES, IMAGE_TYPES, checked_upload, thumbnail_of, uploaded_name
from grants.models import (
    CostShareContribution,
    Grant,
    ProgressReport,
    ReportBeneficiary,
    ReportExpenditure,
    ReportFile,
    ReportFileKind,
    ReportMessage,
    ReportMessageKind,
    ReportStatus,
)
from grants.permissions import can_edit_report

# An expenditure may be dated a little outside the report's period (a receipt dated the day after the quarter).
EXPENDITURE_DATE_TOLERANCE_DAYS = 7
PROGRESS_FIELDS = ("narrative", "problems", "next_steps", "percent_complete")


def _date(value):
    return formats.date_format(value, "d.m.Y")


def locked_report(report):
    """Lock the grant, then the report (always in this order), and return the fresh report."""
    Grant.objects.select_for_update(of=("self",)).filter(pk=report.grant_id).first()
    return (
        ProgressReport.objects.select_for_update(of=("self",))
        .select_related("grant__application__applicant")
        .get(pk=report.pk)
    )


def stale_error():
    return ApplicationError(
        _(
            "This report was changed in another tab or window after you opened this page. Your text is still "
            "below: copy what you need, reload the page to see the latest version, then save again."
        ),
        code="stale",
    )


def editable_report(report, *, actor, version=None):
    """The report, locked, if `actor` may edit it now (and `version` is the current one when given)."""
    report = locked_report(report)
    if not can_edit_report(actor, report):
        if report.status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED):
            raise ApplicationError(
                _(
                    "This report was submitted and can no longer be changed. If the programme asks for a revision, "
                    "you can change it again."
                ),
                code="not_editable",
            )
        raise ApplicationError(_("Only the grantee can change this report."), code="not_allowed")
    if version is not None and int(version) != report.version:
        raise stale_error()
    return report


def record_change(report):
    """Count one more change: a page that shows an older version can no longer save its text over it."""
    ProgressReport.objects.filter(pk=report.pk).update(version=F("version") + 1, updated_at=timezone.now())
    report.refresh_from_db(fields=["version", "updated_at"])


def _clean(instance, exclude=None):
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise ApplicationError(
            " ".join(error.messages), code="invalid", extra={"errors": error.message_dict}
        ) from error


@transaction.atomic
def report_progress_save(*, actor, report, version, data):
    """Save the text of a draft (what was done, problems, next steps, % complete, milestones completed)."""
    report = editable_report(report, actor=actor, version=version)
    for field in PROGRESS_FIELDS:
        if field in data:
            value = data[field]
            setattr(report, field, "" if value is None and field != "percent_complete" else value)
    _clean(report)
    report.save(update_fields=[*PROGRESS_FIELDS, "updated_at"])
    if "milestones_completed" in data:
        milestones = list(data["milestones_completed"] or [])
        if any(m.grant_id != report.grant_id for m in milestones):
            raise ApplicationError(_("Choose only milestones of this grant."), code="foreign_milestone")
        report.milestones_completed.set(milestones)
    record_change(report)
    return report


def _beneficiary_rows(rows):
    cells, result = {}, []
    labels = {**dict(Community.choices), **dict(Sex.choices), **dict(AgeBand.choices)}
    for row in rows:
        if not row.get("count"):
            continue  # an empty (or zero) row adds nobody
        cell = (row["community"], row["sex"], row["age_band"])
        if cell in cells:
            raise ApplicationError(
                _("%(cell)s appears twice. Put everyone of one community, sex and age band in one row.")
                % {"cell": " · ".join(str(labels.get(code, code)) for code in cell)},
                code="duplicate_cell",
            )
        cells[cell] = True
        result.append(row)
    return result


@transaction.atomic
def report_beneficiaries_save(*, actor, report, version, rows):
    """Replace the people reached in the period: rows of community, sex, age band and count (one row per cell)."""
    report = editable_report(report, actor=actor, version=version)
    objects = [
        ReportBeneficiary(
            report=report, community=r["community"], sex=r["sex"], age_band=r["age_band"], count=r["count"]
        )
        for r in _beneficiary_rows(rows)
    ]
    for obj in objects:
        _clean(obj, exclude=["report"])
    ReportBeneficiary.objects.filter(report=report).delete()
    ReportBeneficiary.objects.bulk_create(objects)
    record_change(report)
    return report


def _check_spent_on(report, spent_on):
    if spent_on > timezone.localdate():
        raise ApplicationError(
            _("The date %(date)s is in the future. Report an expenditure once it is made.") % {"date": _date(spent_on)},
            code="expenditure_in_future",
            extra={"field": "spent_on"},
        )
    tolerance = datetime.timedelta(days=EXPENDITURE_DATE_TOLERANCE_DAYS)
    if not report.period_start - tolerance <= spent_on <= report.period_end + tolerance:
        raise ApplicationError(
            _(
                "The date %(date)s is outside this report's period (%(start)s – %(end)s; up to %(days)s days before "
                "or after is accepted). Check the date, or report this expenditure in the report of its period."
            )
            % {
                "date": _date(spent_on),
                "start": _date(report.period_start),
                "end": _date(report.period_end),
                "days": EXPENDITURE_DATE_TOLERANCE_DAYS,
            },
            code="expenditure_outside_period",
            extra={"field": "spent_on"},
        )


def _checked_files(uploads, kind):
    """Check every file before storing any, so that a wrong one refuses the whole upload and nothing half-saves."""
    allowed = IMAGE_TYPES if kind == ReportFileKind.PHOTO else DOCUMENT_TYPES
    return [(upload, checked_upload(upload, allowed)) for upload in uploads or ()]


def _store_files(report, checked, *, kind, expenditure=None, contribution=None):
    stored = []
    for upload, mime in checked:
        item = ReportFile(
            report=report,
            kind=kind,
            expenditure=expenditure,
            contribution=contribution,
            original_name=uploaded_name(upload),
            content_type=mime,
            size=upload.size,
        )
        item.file.save("upload", upload, save=False)
        if kind == ReportFileKind.PHOTO:
            item.thumbnail.save("thumbnail.jpg", thumbnail_of(upload), save=False)
        item.save()
        stored.append(item)
    return stored


@transaction.atomic
def report_expenditure_add(*, actor, report, budget_line, description, spent_on, amount, receipts=()):
    """Add money spent in the period on a line of the grant's budget, with its receipts (PDF, JPEG or PNG)."""
    report = editable_report(report, actor=actor)
    if budget_line is None or budget_line.grant_id != report.grant_id:
        raise ApplicationError(
            _("Choose a line of this grant's approved budget."), code="foreign_line", extra={"field": "budget_line"}
        )
    _check_spent_on(report, spent_on)
    checked = _checked_files(receipts, ReportFileKind.RECEIPT)
    expenditure = ReportExpenditure(
        report=report, budget_line=budget_line, description=description, spent_on=spent_on, amount=amount
    )
    _clean(expenditure)
    expenditure.save()
    _store_files(report, checked, kind=ReportFileKind.RECEIPT, expenditure=expenditure)
    record_change(report)
    return expenditure


@transaction.atomic
def report_contribution_add(*, actor, report, kind, description, value, evidence=()):
    """Add cost share contributed in the period (cash or in kind), with its evidence."""
    report = editable_report(report, actor=actor)
    checked = _checked_files(evidence, ReportFileKind.COST_SHARE_EVIDENCE)
    contribution = CostShareContribution(report=report, kind=kind, description=description, value=value)
    _clean(contribution)
    contribution.save()
    _store_files(report, checked, kind=ReportFileKind.COST_SHARE_EVIDENCE, contribution=contribution)
    record_change(report)
    return contribution


@transaction.atomic
def report_files_add(*, actor, report, kind, uploads, expenditure=None, contribution=None):
    """Attach receipts to an expenditure, evidence to a contribution, or photos to the report."""
    report = editable_report(report, actor=actor)
    if not uploads:
        raise ApplicationError(_("Choose at least one file to upload."), code="no_file", extra={"field": "files"})
    if kind == ReportFileKind.RECEIPT and (expenditure is None or expenditure.report_id != report.pk):
        raise ApplicationError(_("Choose an expenditure of this report."), code="foreign_item")
    if kind == ReportFileKind.COST_SHARE_EVIDENCE and (contribution is None or contribution.report_id != report.pk):
        raise ApplicationError(_("Choose a contribution of this report."), code="foreign_item")
    checked = _checked_files(uploads, kind)
    stored = _store_files(report, checked, kind=kind, expenditure=expenditure, contribution=contribution)
    record_change(report)
    return stored


def _forget_files(report, files):
    """Remove stored files after commit, but only of a report never submitted: a submission's files stay on disk."""
    if ReportMessage.objects.filter(report=report, kind=ReportMessageKind.SUBMITTED).exists():
        return
    names = [name for item in files for name in (item.file.name, item.thumbnail.name) if name]
    storage = ReportFile._meta.get_field("file").storage

    def remove():
        for name in names:
            storage.delete(name)

    transaction.on_commit(remove, robust=True)


@transaction.atomic
def report_item_remove(*, actor, report, item):
    """Remove an expenditure, a contribution (with their files) or one file from a report being written."""
    report = editable_report(report, actor=actor)
    model = type(item)
    row = model.objects.filter(pk=item.pk, report=report).first()
    if row is None:
        return False  # already removed (a second click, another tab)
    if isinstance(row, ReportFile):
        files = [row]
    else:
        files = list(row.receipts.all() if isinstance(row, ReportExpenditure) else row.evidence.all())
    _forget_files(report, files)
    row.delete()
    record_change(report)
    return True
