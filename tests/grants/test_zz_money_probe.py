from decimal import Decimal
import pytest
from accounts.roles import Role
from tests.factories import UserFactory
from tests.grants.grant_factories import GrantFactory
from tests.grants.test_money import pay, rate, JAN, FEB

pytestmark = pytest.mark.django_db

@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False

def test_probe(client):
    grant = GrantFactory(active=True, with_plan=True, amount=Decimal("25000.00"))
    rate(JAN, "1.1"); pay(grant, "1000", JAN); pay(grant, "10", FEB)
    client.force_login(UserFactory(role=Role.FINANCE_OFFICER))
    for lang in ("sq", "sr", "sr-latn"):
        for url in ("money/", "money/rates/", f"grants/{grant.pk}/"):
            r = client.get(f"/{lang}/staff/{url}")
            assert r.status_code == 200
    open("/tmp/h-money/sq.html","w").write(client.get("/sq/staff/money/").content.decode())
    r = client.post("/sq/staff/money/rates/", {"month": "2025-02", "usd_per_eur": "1,0852", "source": ""})
    assert r.status_code == 302, r.content.decode()[-3000:]
