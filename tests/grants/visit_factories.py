"""Factories for monitoring visits, their photos and follow-up actions, and small images to upload.

MonitoringVisitFactory(grant=g)                 a visit yesterday by a programme officer, nothing verified
VisitPhotoFactory(visit=v)                      a stored JPEG photo with its thumbnail
FollowUpActionFactory(visit=v, due_date=…)      an open follow-up action
jpeg_upload(name, exif=True)                    an uploaded JPEG (with EXIF, including GPS, when asked)
"""

import datetime
import io

import factory
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from factory.django import DjangoModelFactory
from PIL import Image

from accounts.roles import Role
from grants.models import Check, FollowUpAction, MonitoringVisit, Quality, VisitPhoto
from tests.factories import UserFactory


def image_bytes(*, size=(800, 600), format="JPEG", exif=False):
    image = Image.new("RGB", size, (30, 120, 60))
    buffer = io.BytesIO()
    options = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "Camera maker"  # Make
        data[0x8825] = {1: "N", 2: (42.0, 39.0, 0.0), 3: "E", 4: (21.0, 9.0, 0.0)}  # GPS (Prishtinë)
        options["exif"] = data.tobytes()
    image.save(buffer, format=format, **options)
    return buffer.getvalue()


def jpeg_upload(name="site.jpg", *, exif=False, size=(800, 600)):
    return SimpleUploadedFile(name, image_bytes(size=size, exif=exif), content_type="image/jpeg")


def png_upload(name="site.png"):
    return SimpleUploadedFile(name, image_bytes(format="PNG"), content_type="image/png")


class MonitoringVisitFactory(DjangoModelFactory):
    class Meta:
        model = MonitoringVisit

    grant = None  # pass grant=…
    visit_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=1))
    visited_by = factory.SubFactory(UserFactory, role=Role.PROGRAMME_OFFICER)
    people_present = "Arta Krasniqi, chair of the association"
    progress_percent = 40
    quality = Quality.GOOD
    donor_sign = Check.YES
    shared_use = Check.YES
    safety = Check.YES
    findings = "Works proceed as planned."


class VisitPhotoFactory(DjangoModelFactory):
    class Meta:
        model = VisitPhoto

    visit = factory.SubFactory(MonitoringVisitFactory)
    image = factory.LazyFunction(lambda: ContentFile(image_bytes(), name="photo.jpg"))
    thumbnail = factory.LazyFunction(lambda: ContentFile(image_bytes(size=(320, 240)), name="thumb.jpg"))
    content_type = "image/jpeg"


class FollowUpActionFactory(DjangoModelFactory):
    class Meta:
        model = FollowUpAction

    visit = factory.SubFactory(MonitoringVisitFactory)
    action = factory.Sequence(lambda n: f"Put up the donor sign ({n + 1})")
    responsible = "Grantee"
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=14))
