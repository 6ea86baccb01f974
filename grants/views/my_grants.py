"""The grantee's own grant page (read-only, with the panels of grant_panels.GRANTEE_PANELS) and agreement files.

Whoever is not the grantee gets 404, exactly as for a grant that does not exist.
"""

from django.http import Http404
from django.shortcuts import render

from grants.views import grant_panels
from grants.views.grants import agreement_response, grant_context, grant_with_rows, labelled_grant_timeline


def _own_grant(request, pk):
    if not request.user.is_authenticated:
        raise Http404
    return grant_with_rows(pk=pk, application__applicant=request.user)


def my_grant_detail(request, pk):
    """The grantee's read-only view of their grant, with the agreement to download."""
    grant = _own_grant(request, pk)
    context = grant_context(grant)
    context.update(budget_problems=[], tranche_problems=[])  # the add-up checks are for staff to act on
    context["timeline"] = [
        entry for entry in labelled_grant_timeline(grant) if entry.action in grant_panels.GRANTEE_TIMELINE_ACTIONS
    ]
    context["panels"] = grant_panels.panels(request, grant, grant_panels.GRANTEE_PANELS)
    return render(request, "grants/my/grant_detail.html", context)


def my_grant_agreement(request, pk):
    return agreement_response(_own_grant(request, pk))


def my_grant_signed_copy(request, pk):
    return agreement_response(_own_grant(request, pk), signed=True)
