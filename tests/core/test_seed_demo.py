import pytest
from django.core.management import CommandError, call_command

from accounts.models import Organisation, Person, User
from accounts.roles import Role
from municipalities.models import Municipality


@pytest.mark.django_db
def test_seed_demo_creates_a_believable_programme_and_is_idempotent(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    counts = (User.objects.count(), Person.objects.count(), Organisation.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), Person.objects.count(), Organisation.objects.count()) == counts

    for role in Role:
        assert User.objects.filter(groups__name=role).exists(), role
    assert Municipality.objects.filter(people__isnull=False).distinct().count() == 16
    assert Person.objects.values("community").distinct().count() >= 5
    assert Organisation.objects.values("municipality").distinct().count() == 16


@pytest.mark.django_db
def test_every_demo_user_logs_in_with_the_demo_password(client, settings):
    settings.DEBUG = True
    settings.DEMO_PASSWORD = "Demo-Password-For-Tests"
    call_command("seed_demo")
    for email in ["applicant@example.org", "officer@example.org", "reviewer@example.org", "usaid@example.org"]:
        assert client.login(email=email, password="Demo-Password-For-Tests"), email
        client.logout()


@pytest.mark.django_db
def test_seed_demo_refuses_when_debug_is_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")
    assert not Person.objects.exists()
    call_command("seed_demo", force=True)
    assert Person.objects.exists()
