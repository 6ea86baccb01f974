"""Serbian Latin → Serbian Cyrillic, for catalogues (scripts/transliterate_sr.py) and for data that staff
write once in Latin script (a call's title shown on the Cyrillic site).

Placeholders, HTML, escapes, URLs, e-mail addresses and a few Latin-only names (USAID, CDF, AKT-LS ...)
are left as they are.
"""

import re

DIGRAPHS = {"Lj": "Љ", "LJ": "Љ", "lj": "љ", "Nj": "Њ", "NJ": "Њ", "nj": "њ", "Dž": "Џ", "DŽ": "Џ", "dž": "џ"}
LETTERS = dict(
    zip(
        "ABCČĆDĐEFGHIJKLMNOPRSŠTUVZŽabcčćdđefghijklmnoprsštuvzž",
        "АБЦЧЋДЂЕФГХИЈКЛМНОПРСШТУВЗЖабцчћдђефгхијклмнопрсштувзж",
        strict=True,
    )
)
# Names and codes that Serbian Cyrillic text keeps in Latin letters.
KEEP_LATIN = [
    "AKT-LS", "USAID", "CDF", "TOTP", "PDF", "XLSX", "DOCX", "CSV", "JPEG", "PNG", "EUR", "USD", "FTE", "NUI",
    "e-mail", "Shqip", "English", "FY", "Q", "Q1", "Q2", "Q3", "Q4", "LOP", "SHA-256", "GNDR-2", "YOUTH-3",
]  # fmt: skip
PROTECTED = re.compile(
    # escapes, placeholders, HTML, URLs, e-mail addresses, codes such as CE-2027-01 or AKT-CE-2027-0001
    r"\\.|%\([^)]+\)[sdfr]|%[sdf]|\{[^{}]*\}|<[^>]+>|&[a-zA-Z]+;|&#\d+;|https?://\S+|[\w.+-]+@[\w-]+\.[\w.]+|"
    r"\b(?:AKT-)?[A-Z]{2}-\d{4}-\d+\b|" + "|".join(rf"\b{re.escape(word)}\b" for word in KEEP_LATIN)
)
WORD_DIGRAPH = re.compile("|".join(DIGRAPHS))


def transliterate_text(text):
    """Latin → Cyrillic, leaving protected pieces untouched."""
    out, position = [], 0
    for match in PROTECTED.finditer(text):
        out.append(_letters(text[position : match.start()]))
        out.append(match.group(0))
        position = match.end()
    out.append(_letters(text[position:]))
    return "".join(out)


def _letters(text):
    text = WORD_DIGRAPH.sub(lambda m: DIGRAPHS[m.group(0)], text)
    return "".join(LETTERS.get(char, char) for char in text)
