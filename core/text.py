"""Folding text for search: "Gracanica", "Gračanica", "Graçanicë" and "Грачаница" all fold to "gracanica"."""

import unicodedata

CYRILLIC_TO_LATIN = dict(
    zip(
        "абвгдђежзијклљмнњопрстћуфхцчџш",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "dj",
            "e",
            "z",
            "z",
            "i",
            "j",
            "k",
            "l",
            "lj",
            "m",
            "n",
            "nj",
            "o",
            "p",
            "r",
            "s",
            "t",
            "c",
            "u",
            "f",
            "h",
            "c",
            "c",
            "dz",
            "s",
        ],
        strict=True,
    )
)
SPECIAL = {"đ": "dj", "ß": "ss", "ı": "i"}


def fold(text):
    """Lower case, Cyrillic to Latin, and every letter without its diacritics."""
    text = (text or "").lower()
    text = "".join(CYRILLIC_TO_LATIN.get(char, SPECIAL.get(char, char)) for char in text)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def name_key(text):
    """The key under which two spellings of one name meet, for finding duplicate people.

    On top of `fold`, "dj" becomes "d" (Ђорђе, Đorđe, Djordje and Dorde all give "dorde": people who type
    without diacritics write Đ either as "Dj" or as "D"), and anything that is not a letter or a digit
    separates words, so "Ana-Marija" and "Ana  Marija" meet too.
    """
    folded = fold(text).replace("dj", "d")
    words = "".join(char if char.isalnum() else " " for char in folded).split()
    return " ".join(words)
