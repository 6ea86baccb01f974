"""Signals of the people registry, for apps above accounts (which accounts never imports)."""

from django.dispatch import Signal

# Sent by accounts.services_people.person_merge inside its transaction, with both rows locked, before the rows that
# point to `merge` move to `keep` (arguments: keep, merge, actor). A receiver combines the rows that may exist only
# once per person (two enrolments in the same training), so the generic move does not meet a unique conflict; it may
# raise core.errors.ApplicationError to refuse the merge, which then changes nothing.
person_merging = Signal()
