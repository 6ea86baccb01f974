from django.conf import settings
from django.utils.translation import get_language

# Each language is offered under its own name, in its own script (and a short form for phones).
LANGUAGE_ENDONYMS = {
    "sq": ("Shqip", "SQ"),
    "sr-latn": ("Srpski (latinica)", "SR"),
    "sr": ("Српски (ћирилица)", "СР"),
    "en": ("English", "EN"),
}


def site(request):
    current = get_language()
    return {
        "site_languages": [
            {
                "code": code,
                "name": LANGUAGE_ENDONYMS[code][0],
                "short": LANGUAGE_ENDONYMS[code][1],
                "current": code == current,
            }
            for code, _label in settings.LANGUAGES
        ],
    }
