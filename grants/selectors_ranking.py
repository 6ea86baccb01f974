"""The ranking of a call: applications by mean review score, with a running total against the budget envelope and
the shares of the money per municipality and per programme group.

Everything comes from one query of the call's rows (scores and requested totals as subqueries); the running total,
the filters and the shares are computed on those rows in Python, so a filter narrows the table but never changes
a row's running total or whether it fits the envelope (the envelope is the whole call's).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, DecimalField, F, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from grants.models import Application, ApplicationStatus, Review
from grants.selectors import _requested_total
from municipalities.models import ProgrammeGroup

S = ApplicationStatus
# Waiting for a decision first; decided ones are listed for information.
RANKED_STATUSES = (S.REVIEWED, S.WAITLISTED, S.APPROVED, S.REJECTED)
DECIDABLE_STATUSES = (S.REVIEWED, S.WAITLISTED)
ZERO = Decimal("0")
CENT = Decimal("0.01")


@dataclass
class RankingRow:
    rank: int
    application: Application
    score: Decimal | None
    review_count: int
    requested: Decimal
    approved_amount: Decimal | None
    counted: Decimal  # what the row takes from the envelope: the approved amount, the request, or 0 if rejected
    running_total: Decimal
    fits: bool

    @property
    def decidable(self):
        return self.application.status in DECIDABLE_STATUSES


@dataclass
class Share:
    key: str
    label: str
    count: int = 0
    requested: Decimal = ZERO
    proposed: Decimal = ZERO  # counted amounts of rows within the envelope (approved or not yet decided)
    approved: Decimal = ZERO
    proposed_percent: Decimal = ZERO
    approved_percent: Decimal = ZERO


@dataclass
class Ranking:
    call: object
    rows: list
    envelope: Decimal | None
    approved_total: Decimal
    proposed_total: Decimal
    by_municipality: list = field(default_factory=list)
    by_group: list = field(default_factory=list)

    @property
    def remaining(self):
        return None if self.envelope is None else self.envelope - self.approved_total


def _scores(aggregate):
    reviews = (
        Review.objects.filter(assignment__application=OuterRef("pk"), submitted_at__isnull=False, total__isnull=False)
        .order_by()
        .values("assignment__application")
        .annotate(value=aggregate)
        .values("value")
    )
    return reviews


def ranked_applications(*, call):
    """The call's ranked applications with `mean_score`, `review_count` and `requested_total`, best first."""
    return (
        Application.objects.filter(call=call, status__in=RANKED_STATUSES)
        .select_related("municipality", "person", "organisation", "decision", "grant")
        .annotate(
            mean_score=Subquery(_scores(Avg("total")), output_field=DecimalField(max_digits=6, decimal_places=2)),
            review_count=Coalesce(Subquery(_scores(Count("pk")), output_field=IntegerField()), 0),
            requested_total=_requested_total(),
        )
        .order_by(F("mean_score").desc(nulls_last=True), "submitted_at", "id")
    )


def _counted(application, requested):
    decision = getattr(application, "decision", None)
    if application.status == S.REJECTED:
        return ZERO
    if application.status == S.APPROVED and decision is not None and decision.approved_amount is not None:
        return decision.approved_amount
    return requested


def _rows(call, applications):
    envelope = call.budget_envelope
    rows, running = [], ZERO
    for rank, application in enumerate(applications, start=1):
        requested = Decimal(application.requested_total or ZERO).quantize(CENT)
        counted = _counted(application, requested)
        running += counted
        decision = getattr(application, "decision", None)
        rows.append(
            RankingRow(
                rank=rank,
                application=application,
                score=None
                if application.mean_score is None
                else Decimal(application.mean_score).quantize(Decimal("0.01")),
                review_count=application.review_count,
                requested=requested,
                approved_amount=decision.approved_amount if decision is not None else None,
                counted=counted,
                running_total=running,
                fits=envelope is None or running <= envelope,
            )
        )
    return rows


def _matches(row, filters):
    application = row.application
    municipality = filters.get("municipality")
    if municipality is not None and application.municipality_id != getattr(municipality, "pk", municipality):
        return False
    group = filters.get("programme_group")
    if group and (application.municipality is None or application.municipality.programme_group != group):
        return False
    communities = filters.get("communities") or []
    if communities and not set(communities) <= set(application.communities_involved or []):
        return False
    status = filters.get("status")
    return not status or application.status == status


def _percent(part, whole):
    return (part * 100 / whole).quantize(Decimal("0.1")) if whole else ZERO


def _shares(rows, key_label):
    shares = {}
    for row in rows:
        key, label = key_label(row.application)
        share = shares.setdefault(key, Share(key=key, label=label))
        share.count += 1
        share.requested += row.requested
        if row.fits and row.application.status != S.REJECTED:
            share.proposed += row.counted
        if row.application.status == S.APPROVED:
            share.approved += row.approved_amount or ZERO
    proposed = sum((s.proposed for s in shares.values()), ZERO)
    approved = sum((s.approved for s in shares.values()), ZERO)
    for share in shares.values():
        share.proposed_percent = _percent(share.proposed, proposed)
        share.approved_percent = _percent(share.approved, approved)
    return list(shares.values())


def _municipality_key(application):
    municipality = application.municipality
    return (municipality.code, municipality.name) if municipality else ("", "—")


def _group_key(application):
    group = application.municipality.programme_group if application.municipality else ""
    return group, str(dict(ProgrammeGroup.choices).get(group, "—"))


def call_ranking(*, call, filters=None):
    """The ranking page of `call`: rows (filtered) and the shares of the whole call, in a constant number of queries.

    `filters` may hold `municipality` (a Municipality or its pk), `programme_group`, `communities` (codes the
    project must all involve: the community mix) and `status`.
    """
    filters = filters or {}
    all_rows = _rows(call, ranked_applications(call=call))
    by_group = _shares(all_rows, _group_key)
    order = {code: index for index, code in enumerate(ProgrammeGroup.values)}
    by_group.sort(key=lambda share: order.get(share.key, len(order)))
    by_municipality = sorted(_shares(all_rows, _municipality_key), key=lambda share: (-share.proposed, share.label))
    return Ranking(
        call=call,
        rows=[row for row in all_rows if _matches(row, filters)],
        envelope=call.budget_envelope,
        approved_total=sum((r.approved_amount or ZERO for r in all_rows if r.application.status == S.APPROVED), ZERO),
        proposed_total=sum((r.counted for r in all_rows if r.fits and r.application.status != S.REJECTED), ZERO),
        by_municipality=by_municipality,
        by_group=by_group,
    )
