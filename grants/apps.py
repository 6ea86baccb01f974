from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrantsConfig(AppConfig):
    name = "grants"
    verbose_name = _("Calls, applications and grants")
    # Private-storage folders whose files without a row are removed weekly (core/orphan_files.py). Report files are
    # not listed: a submitted report keeps its files on purpose (services/report_drafts.py).
    swept_upload_folders = {
        "photos": [("grants.VisitPhoto", ("image", "thumbnail"))],
        "grants": [("grants.InKindDelivery", ("handover_file",))],
    }
