from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, Person, User
from accounts.roles import Role
from core.errors import ApplicationError
from core.services import audit_record

PROFILE_FIELDS = (
    "first_name",
    "last_name",
    "sex",
    "birth_date",
    "community",
    "municipality",
    "phone",
    "email",
    "consent_given",
)
ORGANISATION_FIELDS = (
    "name",
    "type",
    "registration_number",
    "fiscal_number",
    "municipality",
    "communities_represented",
    "email",
    "phone",
)


@transaction.atomic
def user_set_role(*, actor, user, role):
    """Give `user` exactly one role (architecture.md: a person has one role), and audit it."""
    if role not in Role.values:
        raise ApplicationError(
            _("Unknown role %(role)s: choose one of %(roles)s.") % {"role": role, "roles": ", ".join(Role.values)},
            code="unknown_role",
        )
    user = User.objects.select_for_update().get(pk=user.pk)
    before = sorted(user.groups.values_list("name", flat=True))
    group, _created = Group.objects.get_or_create(name=role)
    user.groups.set([group])
    # Administrators use the admin site with every permission; nobody else enters it.
    user.is_staff = user.is_superuser = role == Role.ADMIN
    user.save(update_fields=["is_staff", "is_superuser"])
    audit_record(
        actor=actor,
        action="accounts.user.role_set",
        target=user,
        from_status=",".join(before),
        to_status=role,
    )
    return user


@transaction.atomic
def staff_user_create(*, actor, email, role, password=None, first_name="", last_name="", language="sq"):
    """Create a staff or reviewer account; applicants sign up themselves."""
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ApplicationError(
            _("An account with the e-mail address %(email)s already exists.") % {"email": email}, code="duplicate"
        )
    user = User(email=email, first_name=first_name, last_name=last_name, language=language)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    user_email_mark_verified(user)
    audit_record(actor=actor, action="accounts.user.created", target=user, to_status="active")
    return user_set_role(actor=actor, user=user, role=role)


def user_email_mark_verified(user):
    """An administrator vouches for a staff address: mark it verified so log-in is not blocked."""
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})


@transaction.atomic
def user_set_language(*, actor, user, language):
    """Change the language of the e-mails and documents sent to `user`."""
    user = User.objects.select_for_update().get(pk=user.pk)
    before = user.language
    user.language = language
    user.full_clean(exclude=["password"])
    user.save(update_fields=["language"])
    if before != language:
        audit_record(
            actor=actor, action="accounts.user.language_changed", target=user, data={"from": before, "to": language}
        )
    return user


@transaction.atomic
def person_create(*, actor, **fields):
    """Record a person the programme counts. Validation (ID numbers, consent) runs before saving."""
    person = Person(**fields)
    person.full_clean()
    person.save()
    return person


@transaction.atomic
def organisation_create(*, actor, **fields):
    organisation = Organisation(**fields)
    organisation.full_clean()
    organisation.save()
    return organisation


@transaction.atomic
def applicant_profile_save(*, actor, data):
    """Create or update the Person record of the logged-in applicant (their profile)."""
    person = Person.objects.select_for_update().filter(user=actor).first() or Person(user=actor)
    consent_before = person.consent_given
    for field in PROFILE_FIELDS:
        if field in data:
            setattr(person, field, data[field])
    if person.consent_given and not consent_before:
        person.consent_date = timezone.now()
    person.full_clean()
    person.save()
    if person.consent_given and not consent_before:
        audit_record(actor=actor, action="accounts.person.consent_given", target=person)
    return person


@transaction.atomic
def organisation_save_for_member(*, actor, data, organisation=None):
    """Create an organisation the applicant may apply for, or change one they belong to."""
    if organisation is not None:
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if not organisation.members.filter(pk=actor.pk).exists():
            raise ApplicationError(_("You can change only organisations you belong to."), code="not_member")
    organisation = organisation or Organisation()
    for field in ORGANISATION_FIELDS:
        if field in data:
            setattr(organisation, field, data[field])
    organisation.full_clean()
    organisation.save()
    organisation.members.add(actor)
    return organisation
