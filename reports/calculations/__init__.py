"""The registry of calculations. Each module below registers its calculations with `@register`; an Indicator
names one by its key. Import order does not matter; keys must be unique."""

# Importing the modules registers their calculations.
from reports.calculations import business, civic, crosscutting, municipal  # noqa: E402, F401, I001
from reports.calculations.registry import all_calculations, get, register  # noqa: F401
