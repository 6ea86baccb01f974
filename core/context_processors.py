from django.conf import settings
from django.utils.translation import get_language

# Each language is offered under its own name, in its own script.
LANGUAGE_ENDONYMS = {
    "sq": "Shqip",
    "sr-latn": "Srpski (latinica)",
    "sr": "Српски (ћирилица)",
    "en": "English",
}


def site(request):
    current = get_language()
    return {
        "site_languages": [
            {"code": code, "name": LANGUAGE_ENDONYMS[code], "current": code == current}
            for code, _label in settings.LANGUAGES
        ],
        "current_language_name": LANGUAGE_ENDONYMS.get(current, current),
    }
