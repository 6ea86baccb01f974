from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Indicators and reports")
    # Private-storage folders whose files without a row are removed weekly (core/orphan_files.py).
    swept_upload_folders = {
        "report_runs": [("reports.ReportRun", ("file",))],
        "branding": [("reports.ReportBranding", ("logo",))],
    }

    def ready(self):
        # Register every calculation so the catalogue can offer them and runs can find them.
        from reports import calculations  # noqa: F401
