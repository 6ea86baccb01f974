"""Text that staff write once per language (a call's title) and its display in the page's language."""

from django.utils.translation import get_language

from core.transliteration import transliterate_text

# Which stored column serves which site language. Serbian is written once, in Latin script;
# the Cyrillic site shows the `_sr_cyrl` column when there is one, else the transliteration.
COLUMN_OF_LANGUAGE = {"sq": "sq", "sr-latn": "sr", "sr": "sr", "en": "en"}
CONTENT_LANGUAGES = [("sq", "Shqip"), ("sr", "Srpski"), ("en", "English")]


def localized(obj, field, language=None):
    """The value of `field` in `language` (the active one by default), falling back to Albanian, then English."""
    language = language or get_language() or "sq"
    if language == "sr":
        cyrillic = getattr(obj, f"{field}_sr_cyrl", "")
        if cyrillic:
            return cyrillic
        latin = getattr(obj, f"{field}_sr", "")
        if latin:
            return transliterate_text(latin)
    value = getattr(obj, f"{field}_{COLUMN_OF_LANGUAGE.get(language, 'sq')}", "")
    return value or getattr(obj, f"{field}_sq", "") or getattr(obj, f"{field}_en", "")


class Localized:
    """A read-only attribute: `title = Localized("title")` shows title_sq / title_sr / title_en by language."""

    def __init__(self, field):
        self.field = field

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        return localized(obj, self.field)
