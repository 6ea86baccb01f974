import datetime

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import Organisation, OrganisationType, Person, User
from core.choices import Community, Sex
from municipalities.models import Municipality

PASSWORD = "correct-horse-battery-42"


class UserFactory(DjangoModelFactory):
    """A user who can log in (verified e-mail, known password); `role=` puts them in that group."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    language = "en"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        obj.save()
        EmailAddress.objects.get_or_create(user=obj, email=obj.email, defaults={"verified": True, "primary": True})
        if extracted:
            obj.groups.add(Group.objects.get_or_create(name=extracted)[0])


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    first_name = "Arta"
    last_name = factory.Sequence(lambda n: f"Krasniqi{n}")
    sex = Sex.FEMALE
    community = Community.ALBANIAN
    birth_date = datetime.date(1995, 5, 17)
    municipality = factory.LazyFunction(lambda: Municipality.objects.get(code="gjilan"))
    consent_given = True
    consent_date = factory.LazyFunction(timezone.now)


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Shoqata {n}")
    type = OrganisationType.CSO
    municipality = factory.LazyFunction(lambda: Municipality.objects.get(code="gracanica"))
    communities_represented = factory.LazyFunction(lambda: [Community.ALBANIAN, Community.SERB])
