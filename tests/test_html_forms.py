"""Every page's forms are well formed: a form inside a form makes the browser drop the inner one and
its buttons submit nothing (the test client would not notice)."""

from html.parser import HTMLParser

import pytest

from tests.factories import UserFactory
from tests.grants.applying import complete_application


class FormNesting(HTMLParser):
    def __init__(self):
        super().__init__()
        self.depth = 0
        self.nested = 0

    def handle_starttag(self, tag, attrs):
        if tag == "form":
            self.nested += self.depth > 0
            self.depth += 1

    def handle_endtag(self, tag):
        if tag == "form":
            self.depth -= 1


def nested_forms(html):
    parser = FormNesting()
    parser.feed(html)
    return parser.nested


@pytest.mark.django_db
def test_no_page_of_the_applicant_or_staff_nests_a_form_in_another(client):
    application = complete_application()
    client.force_login(application.applicant)
    pages = [
        f"/en/my/applications/{application.pk}/edit/{step}/"
        for step in ("applicant", "project", "questions", "budget", "documents", "review")
    ]
    pages += [
        "/en/my/",
        "/en/my/profile/",
        "/en/my/profile/organisations/new/",
        "/en/preferences/",
        f"/en/my/applications/start/{application.call.code}/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert nested_forms(response.content.decode()) == 0, url
    client.force_login(UserFactory(role="programme_officer"))
    for url in [
        "/en/staff/",
        "/en/staff/calls/",
        "/en/staff/calls/new/",
        "/en/staff/applications/",
        f"/en/staff/calls/{application.call.code}/edit/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert nested_forms(response.content.decode()) == 0, url
