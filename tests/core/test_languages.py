import re

import pytest

from core.transliteration import transliterate_text
from scripts.transliterate_sr import transliterate_po

CYRILLIC = re.compile("[\u0400-\u04ff]")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept_language", "prefix"),
    [("", "/sq/"), ("en-GB,en;q=0.8", "/en/"), ("sr-Latn-RS", "/sr-latn/"), ("sr-RS,sr;q=0.9", "/sr/")],
)
def test_the_bare_address_redirects_to_the_visitors_language(client, accept_language, prefix):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept_language)
    assert response.status_code == 302
    assert response.url == prefix


@pytest.mark.django_db
def test_the_switcher_moves_to_the_same_page_in_another_language_and_remembers_it(client):
    response = client.post("/i18n/setlang/", {"language": "sr", "next": "/sq/accounts/login/"})
    assert response.status_code == 302
    assert response.url == "/sr/accounts/login/"
    assert client.cookies["django_language"].value == "sr"
    assert client.get("/").url == "/sr/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "phrase"),
    [
        ("sq", "Thirrje të hapura"),
        ("sr-latn", "opštin"),
        ("sr", "општин"),
        ("en", "The 16 partner municipalities"),
    ],
)
def test_the_home_page_speaks_the_language_of_its_prefix(client, language, phrase):
    html = client.get(f"/{language}/").content.decode()
    assert phrase.lower() in html.lower()


@pytest.mark.django_db
def test_every_page_offers_all_four_languages_under_their_own_names(client):
    html = client.get("/en/accounts/login/").content.decode()
    for name in ["Shqip", "Srpski (latinica)", "Српски (ћирилица)", "English"]:
        assert name in html


@pytest.mark.django_db
def test_the_cyrillic_site_has_no_serbian_latin_left_in_its_texts(client):
    latin_html = client.get("/sr-latn/").content.decode()
    cyrillic_html = client.get("/sr/").content.decode()
    assert "Tri komponente" in latin_html
    assert "Три компоненте" in cyrillic_html
    assert "Tri komponente" not in cyrillic_html


@pytest.mark.django_db
def test_the_login_page_is_albanian_on_the_albanian_site(client):
    html = client.get("/sq/accounts/login/").content.decode()
    assert "Fjalëkalimi" in html
    assert "Password" not in html.replace('type="password"', "").replace('name="password"', "")


def test_transliteration_turns_serbian_latin_into_cyrillic_with_digraphs():
    assert transliterate_text("Ljubljana, Njegoš i džep; ĐURĐEVDAN") == "Љубљана, Његош и џеп; ЂУРЂЕВДАН"


def test_transliteration_leaves_placeholders_markup_and_names_alone():
    text = 'Poštovani %(name)s, <a href="/sr/my/">prijava</a> za USAID i AKT-LS\\n{count} info@cdf.example.org'
    assert transliterate_text(text) == (
        'Поштовани %(name)s, <a href="/sr/my/">пријава</a> за USAID и AKT-LS\\n{count} info@cdf.example.org'
    )


def test_transliteration_of_a_catalogue_changes_only_translations():
    source = (
        'msgid ""\nmsgstr ""\n"Language: sr_Latn\\n"\n\n'
        '#: home.html:3\nmsgctxt "community"\nmsgid "Serb"\nmsgstr "Srbin"\n\n'
        'msgid "One file"\nmsgid_plural "%(n)s files"\nmsgstr[0] "%(n)s fajl"\nmsgstr[1] "%(n)s fajla"\n'
        'msgstr[2] ""\n"%(n)s fajlova"\n'
    )
    result = transliterate_po(source)
    assert '"Language: sr\\n"' in result
    assert 'msgid "Serb"\nmsgstr "Србин"' in result
    assert 'msgstr[1] "%(n)s фајла"' in result
    assert '"%(n)s фајлова"' in result
    assert 'msgctxt "community"' in result
