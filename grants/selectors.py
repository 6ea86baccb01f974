"""Reads of calls and applications, with the joins each page needs (constant query counts)."""

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, DecimalField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from core.models import AuditEntry
from core.text import fold
from grants.models import (
    Application,
    ApplicationStatus,
    BudgetLine,
    Call,
    CallStatus,
    Grant,
    GrantAmendment,
    GrantTranche,
    MonitoringVisit,
    ProgressReport,
)
from grants.permissions import can_view_application


def calls_public():
    """Published and closed calls, open ones first, then upcoming, then closed (newest deadline first)."""
    now = timezone.now()
    calls = list(
        Call.objects.exclude(status=CallStatus.DRAFT).prefetch_related("eligible_municipalities").order_by("closes_at")
    )
    open_calls = [c for c in calls if c.phase_at(now) == "open"]
    upcoming = sorted((c for c in calls if c.phase_at(now) == "upcoming"), key=lambda c: c.opens_at)
    closed = sorted((c for c in calls if c.phase_at(now) == "closed"), key=lambda c: c.closes_at, reverse=True)
    return {"open": open_calls, "upcoming": upcoming, "closed": closed}


def open_calls():
    now = timezone.now()
    return (
        Call.objects.filter(status=CallStatus.PUBLISHED, opens_at__lte=now, closes_at__gt=now)
        .prefetch_related("eligible_municipalities")
        .order_by("closes_at")
    )


def call_public_detail(*, code):
    """A published or closed call with everything its public page shows; 404 for drafts."""
    call = (
        Call.objects.exclude(status=CallStatus.DRAFT)
        .prefetch_related("eligible_municipalities", "documents", "questions", "criteria")
        .filter(code=code)
        .first()
    )
    if call is None:
        raise Http404
    return call


def calls_for_staff():
    return Call.objects.annotate(
        application_count=Count("applications", filter=~Q(applications__status=ApplicationStatus.DRAFT))
    ).order_by("-opens_at", "code")


def _requested_total():
    """The amount requested, as a subquery: the list's COUNT then needs no join or GROUP BY."""
    lines = (
        BudgetLine.objects.filter(application=OuterRef("pk"))
        .order_by()
        .values("application")
        .annotate(total=Sum("requested_amount"))
        .values("total")
    )
    return Coalesce(Subquery(lines, output_field=DecimalField(max_digits=14, decimal_places=2)), Decimal("0"))


def applications_of_applicant(*, user):
    """The applicant's own applications for /my/, newest first, with call and totals joined."""
    return (
        Application.objects.filter(applicant=user)
        .select_related("call", "organisation", "municipality", "grant")
        .annotate(requested_total=_requested_total())
        .order_by("-updated_at", "-id")
    )


def application_for_user(*, user, pk, for_update=False):
    """One application with what its pages show, or 404 if it does not exist or `user` may not see it."""
    application = (
        Application.objects.select_related(
            "call", "person", "organisation", "municipality", "applicant", "screening__screened_by", "grant"
        )
        .prefetch_related("partners__municipality", "budget_lines", "documents__call_document", "clarifications")
        .filter(pk=pk)
        .first()
    )
    if application is None or not can_view_application(user, application):
        raise Http404
    return application


def applications_for_staff(*, filters=None):
    """Submitted applications (never drafts) for the staff list, filtered; the list pages it."""
    filters = filters or {}
    queryset = (
        Application.objects.exclude(status=ApplicationStatus.DRAFT)
        .select_related("call", "person", "organisation", "municipality")
        .annotate(requested_total=_requested_total())
    )
    if filters.get("call"):
        queryset = queryset.filter(call=filters["call"])
    if filters.get("component"):
        queryset = queryset.filter(call__component=filters["component"])
    if filters.get("municipality"):
        queryset = queryset.filter(municipality=filters["municipality"])
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    if filters.get("community"):
        queryset = queryset.filter(person__community=filters["community"])
    if filters.get("submitted_from"):
        queryset = queryset.filter(submitted_at__date__gte=filters["submitted_from"])
    if filters.get("submitted_to"):
        queryset = queryset.filter(submitted_at__date__lte=filters["submitted_to"])
    if filters.get("q"):
        for word in fold(filters["q"]).split():
            queryset = queryset.filter(search_text__contains=word)
    return queryset


def grant_audit_entries(grant, *, limit=100):
    """The grant's timeline: its own entries and those of its tranches, reports, visits and amendments (newest
    first, a constant number of queries)."""
    condition = Q(content_type=ContentType.objects.get_for_model(Grant), object_id=str(grant.pk))
    for model in (GrantTranche, ProgressReport, MonitoringVisit, GrantAmendment):
        ids = [str(pk) for pk in model.objects.filter(grant=grant).values_list("pk", flat=True)]
        if ids:
            condition |= Q(content_type=ContentType.objects.get_for_model(model), object_id__in=ids)
    return list(AuditEntry.objects.filter(condition).select_related("actor").order_by("-created_at", "-id")[:limit])


def _sum_subquery(queryset, group, field):
    """A correlated SUM as a subquery (no join, so it never multiplies other aggregates)."""
    money = DecimalField(max_digits=14, decimal_places=2)
    total = queryset.order_by().values(group).annotate(total=Sum(field)).values("total")[:1]
    return Coalesce(Subquery(total, output_field=money), Decimal("0"), output_field=money)


def grants_for_staff(*, filters=None):
    """Grants for the staff list, newest first, with what is paid (payments or in-kind deliveries) and the number
    of tranches waiting for finance; filtered by status, call code, component, municipality code and a search."""
    from grants.models import InKindDelivery, TranchePayment, TrancheStatus

    filters = filters or {}
    grants = (
        Grant.objects.select_related(
            "application__call", "application__person", "application__organisation", "application__municipality"
        )
        .annotate(
            paid_cash=_sum_subquery(
                TranchePayment.objects.filter(tranche__grant=OuterRef("pk")), "tranche__grant", "amount"
            ),
            paid_in_kind=_sum_subquery(InKindDelivery.objects.filter(grant=OuterRef("pk")), "grant", "value"),
            tranches_waiting=Count("tranches", filter=Q(tranches__status=TrancheStatus.REQUESTED), distinct=True),
        )
        .order_by("-created_at", "-id")
    )
    if filters.get("status"):
        grants = grants.filter(status=filters["status"])
    if filters.get("call"):
        grants = grants.filter(application__call__code=filters["call"])
    if filters.get("component"):
        grants = grants.filter(application__call__component=filters["component"])
    if filters.get("municipality"):
        grants = grants.filter(application__municipality__code=filters["municipality"])
    if str(filters.get("fy") or "").isdigit():  # USAID fiscal year of signature: 1 October to 30 September
        year = int(filters["fy"])
        first, after = datetime.date(year - 1, 10, 1), datetime.date(year, 10, 1)
        grants = grants.filter(signed_at__date__gte=first, signed_at__date__lt=after)
    if filters.get("waiting"):
        grants = grants.filter(tranches_waiting__gt=0)
    if filters.get("q"):
        needle = fold(filters["q"])
        grants = grants.filter(Q(number__icontains=filters["q"].strip()) | Q(application__search_text__contains=needle))
    return grants


def grant_work_counts(user):
    """What waits for this person on the grants side (for the staff start page): one query per item they may act
    on, none for the others."""
    from django.utils import timezone

    from grants.models import FollowUpAction, ReportStatus, TrancheStatus
    from grants.permissions import can_approve_tranche, can_review_report, can_view_money

    counts = {}
    if can_approve_tranche(user):
        counts["tranches_requested"] = GrantTranche.objects.filter(status=TrancheStatus.REQUESTED).count()
        counts["tranches_to_pay"] = GrantTranche.objects.filter(status=TrancheStatus.APPROVED).count()
    if can_review_report(user):
        counts["reports_submitted"] = ProgressReport.objects.filter(status=ReportStatus.SUBMITTED).count()
    if can_view_money(user):
        counts["follow_ups_overdue"] = FollowUpAction.objects.filter(
            done_at__isnull=True, due_date__lt=timezone.localdate()
        ).count()
    return counts
