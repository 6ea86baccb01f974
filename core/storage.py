"""Private file storage shared by every app: files under MEDIA_ROOT/private, served only by permission-checked views.

(grants keeps its own identical grants.models.applications.PrivateStorage, which its migrations name.)
"""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property


class PrivateStorage(FileSystemStorage):
    @cached_property
    def base_location(self):
        return str(Path(settings.MEDIA_ROOT) / "private")

    def url(self, name):
        raise ValueError("Private files have no URL; serve them through a permission-checked view.")


private_storage = PrivateStorage()
