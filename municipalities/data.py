"""The 16 partner municipalities of AKT-LS, exactly as program.md names them.

Used by the data migration that creates them; kept here so that tests can compare the
database with the source.
"""

SOUTH = "south_serb_majority"
ALBANIAN = "albanian_majority"
NORTH = "north"

# code, Albanian, Serbian (Latin), Serbian (Cyrillic), English, group, majority community
PARTNER_MUNICIPALITIES = [
    ("gracanica", "Graçanicë", "Gračanica", "Грачаница", "Graçanicë", SOUTH, "serb"),
    ("kllokot", "Kllokot", "Klokot", "Клокот", "Kllokot", SOUTH, "serb"),
    ("novoberde", "Novobërdë", "Novo Brdo", "Ново Брдо", "Novobërdë", SOUTH, "serb"),
    ("partesh", "Partesh", "Parteš", "Партеш", "Partesh", SOUTH, "serb"),
    ("ranillug", "Ranillug", "Ranilug", "Ранилуг", "Ranillug", SOUTH, "serb"),
    ("shterpce", "Shtërpcë", "Štrpce", "Штрпце", "Shtërpcë", SOUTH, "serb"),
    ("gjilan", "Gjilan", "Gnjilane", "Гњилане", "Gjilan", ALBANIAN, "albanian"),
    ("istog", "Istog", "Istok", "Исток", "Istog", ALBANIAN, "albanian"),
    ("kline", "Klinë", "Klina", "Клина", "Klinë", ALBANIAN, "albanian"),
    ("obiliq", "Obiliq", "Obilić", "Обилић", "Obiliq", ALBANIAN, "albanian"),
    ("peje", "Pejë", "Peć", "Пећ", "Pejë", ALBANIAN, "albanian"),
    ("vushtrri", "Vushtrri", "Vučitrn", "Вучитрн", "Vushtrri", ALBANIAN, "albanian"),
    (
        "mitrovica-north",
        "Mitrovica e Veriut",
        "Severna Mitrovica",
        "Северна Митровица",
        "North Mitrovica",
        NORTH,
        "serb",
    ),
    ("leposaviq", "Leposaviq", "Leposavić", "Лепосавић", "Leposaviq", NORTH, "serb"),
    ("zubin-potok", "Zubin Potok", "Zubin Potok", "Зубин Поток", "Zubin Potok", NORTH, "serb"),
    ("zvecan", "Zveçan", "Zvečan", "Звечан", "Zveçan", NORTH, "serb"),
]
