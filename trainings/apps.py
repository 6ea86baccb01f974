from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingsConfig(AppConfig):
    name = "trainings"
    verbose_name = _("Trainings")

    def ready(self):
        from accounts.signals import person_merging
        from trainings.merge import combine_enrolments

        person_merging.connect(combine_enrolments, dispatch_uid="trainings.combine_enrolments")
