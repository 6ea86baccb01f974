"""A business-development grant's business, created from its application without retyping, or an existing one linked.

grants depends on businesses (never the reverse): the grant holds the foreign key, and this module calls the
businesses services, so the business's creation and its owner are validated and audited there.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from businesses.models import LegalForm, RegistrationStatus, Sector, Stage
from businesses.permissions import can_manage_businesses
from businesses.services import business_create, business_owner_add
from businesses.validators import validate_fiscal_number, validate_nui
from core.choices import Component
from core.errors import ApplicationError
from core.services import audit_record
from grants.models import ApplicantType, Grant

STAGE_OF_APPLICANT = {ApplicantType.STARTUP: Stage.STARTUP, ApplicantType.EXISTING_BUSINESS: Stage.EXISTING}


def is_business_grant(grant):
    return grant.application.call.component == Component.BUSINESS_DEVELOPMENT


def _valid(validator, value):
    value = (value or "").strip()
    try:
        validator(value)
    except ValidationError:
        return ""
    return value


def business_data_from_application(application, *, sector=Sector.OTHER, legal_form=None):
    """Name, NUI, fiscal number, municipality and stage as the application gave them; numbers kept only if valid."""
    organisation = application.organisation
    nui = _valid(validate_nui, organisation.registration_number) if organisation else ""
    registered = bool(nui)
    if legal_form is None or (legal_form == LegalForm.NOT_REGISTERED) == registered:
        legal_form = LegalForm.INDIVIDUAL if registered else LegalForm.NOT_REGISTERED
    municipality = (organisation.municipality if organisation else None) or application.municipality
    return {
        "name": organisation.name if organisation else (application.title or str(application.person))[:200],
        "legal_form": legal_form,
        "registration_status": RegistrationStatus.REGISTERED if registered else RegistrationStatus.NOT_REGISTERED,
        "nui": nui,
        "fiscal_number": _valid(validate_fiscal_number, organisation.fiscal_number) if organisation else "",
        "sector": sector,
        "stage": STAGE_OF_APPLICANT.get(application.applicant_type, Stage.STARTUP),
        "municipality": municipality or application.person.municipality,
        "settlement": (application.location_detail or "")[:100],
    }


@transaction.atomic
def business_create_from_grant(*, actor, grant, sector=Sector.OTHER, legal_form=None):
    """Create the business of an approved business-development grant and link it; a second call returns it."""
    grant = Grant.objects.select_for_update().select_related("application__call").get(pk=grant.pk)
    if grant.business_id:
        return grant.business
    if not can_manage_businesses(actor):
        raise ApplicationError(_("You cannot create businesses."), code="not_allowed")
    if not is_business_grant(grant):
        raise ApplicationError(
            _("Only a business-development grant has a business; this grant is of another component."),
            code="not_business",
        )
    application = grant.application
    data = business_data_from_application(application, sector=sector, legal_form=legal_form)
    if data["municipality"] is None:
        raise ApplicationError(
            _("The application names no municipality. Create the business from the businesses page instead."),
            code="no_municipality",
        )
    business = business_create(actor=actor, data=data)
    business_owner_add(actor=actor, business=business, person=application.person, share_percent=100)
    grant.business = business
    grant.save(update_fields=["business", "updated_at"])
    audit_record(actor=actor, action="grants.grant.business_linked", target=grant, data={"business": business.pk})
    return business


@transaction.atomic
def business_link_existing(*, actor, grant, business):
    """Link a business-development grant to a business already in the list (the grantee's business was recorded
    before the grant, or by another grant). A grant has one business: a linked grant is never relinked here.
    """
    grant = Grant.objects.select_for_update().select_related("application__call").get(pk=grant.pk)
    if not can_manage_businesses(actor):
        raise ApplicationError(_("You cannot link businesses to grants."), code="not_allowed")
    if not is_business_grant(grant):
        raise ApplicationError(
            _("Only a business-development grant has a business; this grant is of another component."),
            code="not_business",
        )
    if grant.business_id:
        # "already_linked_same" lets a page treat a second click on the same button as done.
        same = grant.business_id == business.pk
        message = (
            _("This grant is already linked to %(name)s; nothing was changed.")
            if same
            else _("This grant is already linked to %(name)s. A grant has one business; it was not linked to another.")
        )
        raise ApplicationError(
            message % {"name": grant.business.name}, code="already_linked_same" if same else "already_linked"
        )
    grant.business = business
    grant.save(update_fields=["business", "updated_at"])
    audit_record(
        actor=actor,
        action="grants.grant.business_linked",
        target=grant,
        data={"business": business.pk, "existing": True},
    )
    return business
