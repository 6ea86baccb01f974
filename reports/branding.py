"""The cover texts and logo of donor documents: the ReportBranding row edited in the admin, each empty field
falling back to the defaults in settings, so the donor's branding can change without code.

The logo is handed to the PDF as a data: URL: the document fetcher serves nothing from the media folder, and a
data: URL needs no fetching at all.
"""

import base64
import logging
import mimetypes
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext, gettext_noop

from reports.models import ReportBranding

logger = logging.getLogger(__name__)

# Bigger logos are left out rather than swelling every report (a cover logo is a few tens of kilobytes).
MAX_LOGO_BYTES = 2 * 1024 * 1024
LOGO_TYPES = {"image/png", "image/jpeg"}

# The defaults of the settings REPORT_* and AGREEMENT_PROGRAMME_NAME, marked here so that the catalogues carry them:
# a document in Albanian or Serbian prints them in its language. A text typed in the admin is printed as typed.
DEFAULT_TEXTS = (
    gettext_noop("Advancing Kosovo Together – Local Solutions"),
    gettext_noop("Community Development Fund (CDF)"),
    gettext_noop(
        "This report is made possible by the support of the American people through the United States Agency for "
        "International Development (USAID)."
    ),
    gettext_noop(
        "The contents of this report are the sole responsibility of the Community Development Fund and do not "
        "necessarily reflect the views of USAID or the United States Government."
    ),
)


@dataclass(frozen=True)
class Branding:
    programme_name: str
    agreement_number: str
    submitted_by: str
    donor_line: str
    disclaimer: str
    logo_data_url: str = ""

    def as_data(self):
        """What the cover printed, for a run's snapshot (the logo only as whether there was one)."""
        return {
            "programme_name": self.programme_name,
            "agreement_number": self.agreement_number,
            "submitted_by": self.submitted_by,
            "donor_line": self.donor_line,
            "disclaimer": self.disclaimer,
            "logo": bool(self.logo_data_url),
        }


def report_branding():
    """The branding of donor documents now: the admin's row (the newest, if someone made two) over settings; the
    settings' default texts in the active language."""
    row = ReportBranding.objects.order_by("-updated_at", "-pk").first()

    def pick(name, setting):
        value = (getattr(row, name, "") if row else "").strip()
        if value:
            return value
        default = (getattr(settings, setting, "") or "").strip()
        return gettext(default) if default in DEFAULT_TEXTS else default

    return Branding(
        programme_name=pick("programme_name", "AGREEMENT_PROGRAMME_NAME"),
        agreement_number=pick("agreement_number", "REPORT_AGREEMENT_NUMBER"),
        submitted_by=pick("submitted_by", "REPORT_SUBMITTED_BY"),
        donor_line=pick("donor_line", "REPORT_DONOR_LINE"),
        disclaimer=pick("disclaimer", "REPORT_DISCLAIMER"),
        logo_data_url=logo_data_url(row.logo) if row and row.logo else "",
    )


def logo_data_url(field_file):
    """The uploaded logo as a data: URL; empty (and logged) when the file is missing, too big or not an image."""
    mime_type = mimetypes.guess_type(field_file.name)[0]
    if mime_type not in LOGO_TYPES:
        logger.warning("Report logo %s is not a PNG or JPEG: left off the cover.", field_file.name)
        return ""
    try:
        with field_file.open("rb") as handle:
            content = handle.read(MAX_LOGO_BYTES + 1)
    except OSError:
        logger.warning("Report logo %s cannot be read: left off the cover.", field_file.name)
        return ""
    if len(content) > MAX_LOGO_BYTES:
        logger.warning("Report logo %s is larger than %s bytes: left off the cover.", field_file.name, MAX_LOGO_BYTES)
        return ""
    return f"data:{mime_type};base64,{base64.b64encode(content).decode('ascii')}"
