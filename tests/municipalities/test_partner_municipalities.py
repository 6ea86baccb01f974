import pytest

from municipalities.models import Municipality

# program.md, "The 16 partner municipalities": group, Albanian, Serbian Latin, Serbian Cyrillic, English.
PROGRAM_MD = [
    ("south_serb_majority", "Graçanicë", "Gračanica", "Грачаница", "Graçanicë"),
    ("south_serb_majority", "Kllokot", "Klokot", "Клокот", "Kllokot"),
    ("south_serb_majority", "Novobërdë", "Novo Brdo", "Ново Брдо", "Novobërdë"),
    ("south_serb_majority", "Partesh", "Parteš", "Партеш", "Partesh"),
    ("south_serb_majority", "Ranillug", "Ranilug", "Ранилуг", "Ranillug"),
    ("south_serb_majority", "Shtërpcë", "Štrpce", "Штрпце", "Shtërpcë"),
    ("albanian_majority", "Gjilan", "Gnjilane", "Гњилане", "Gjilan"),
    ("albanian_majority", "Istog", "Istok", "Исток", "Istog"),
    ("albanian_majority", "Klinë", "Klina", "Клина", "Klinë"),
    ("albanian_majority", "Obiliq", "Obilić", "Обилић", "Obiliq"),
    ("albanian_majority", "Pejë", "Peć", "Пећ", "Pejë"),
    ("albanian_majority", "Vushtrri", "Vučitrn", "Вучитрн", "Vushtrri"),
    ("north", "Mitrovica e Veriut", "Severna Mitrovica", "Северна Митровица", "North Mitrovica"),
    ("north", "Leposaviq", "Leposavić", "Лепосавић", "Leposaviq"),
    ("north", "Zubin Potok", "Zubin Potok", "Зубин Поток", "Zubin Potok"),
    ("north", "Zveçan", "Zvečan", "Звечан", "Zveçan"),
]
COLUMN = {"sq": 1, "sr-latn": 2, "sr": 3, "en": 4}


@pytest.mark.django_db
def test_the_16_partner_municipalities_exist_with_their_official_names_in_every_language():
    stored = [
        (m.programme_group, m.name_sq, m.name_sr_latn, m.name_sr_cyrl, m.name_en)
        for m in Municipality.objects.filter(is_partner=True).order_by("sort_order")
    ]
    assert stored == PROGRAM_MD


@pytest.mark.django_db
def test_the_northern_and_southern_municipalities_are_serb_majority():
    majority = dict(Municipality.objects.values_list("name_sq", "majority_community"))
    assert {name for name, community in majority.items() if community == "serb"} == {
        row[1] for row in PROGRAM_MD if row[0] != "albanian_majority"
    }


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["sq", "sr-latn", "sr", "en"])
def test_home_page_lists_every_partner_municipality_in_the_page_language_and_script(client, language):
    response = client.get(f"/{language}/")
    assert response.status_code == 200
    html = response.content.decode()
    names = [row[COLUMN[language]] for row in PROGRAM_MD]
    for name in names:
        assert f">{name}</li>" in html, name
    others = {row[c] for row in PROGRAM_MD for c in COLUMN.values()} - set(names)
    for other in others:
        assert f">{other}</li>" not in html, f"{other} shown on the {language} page"


@pytest.mark.django_db
def test_home_page_groups_municipalities_as_program_md_does(client):
    groups = client.get("/en/").context["municipality_groups"]
    assert [len(municipalities) for _label, municipalities in groups] == [6, 6, 4]
    assert [m.name_en for m in groups[2][1]] == ["North Mitrovica", "Leposaviq", "Zubin Potok", "Zveçan"]


@pytest.mark.django_db
def test_home_page_says_kindly_that_no_call_is_open(client):
    response = client.get("/en/")
    assert "There are no open calls for proposals right now." in response.content.decode()


@pytest.mark.django_db
def test_home_page_loads_in_a_constant_number_of_queries(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        client.get("/sq/")
