from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MunicipalConfig(AppConfig):
    name = "municipal"
    verbose_name = _("Municipal development")
    # Private-storage folders whose files without a row are removed weekly (core/orphan_files.py).
    swept_upload_folders = {
        "deliverables": [("municipal.DeliverableVersion", ("file",))],
        "service_evidence": [("municipal.ServiceMeasure", ("evidence",))],
        "memoranda": [("municipalities.Memorandum", ("signed_file",))],
    }
