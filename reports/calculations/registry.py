"""Calculations by key. A key is stored on Indicator.calculation: never rename one that indicators use."""

_CALCULATIONS = {}


def register(cls):
    """Class decorator: keep one instance of the calculation under its key."""
    if not cls.key or cls.key in _CALCULATIONS:
        raise ValueError(f"Calculation key missing or used twice: {cls.key!r}")
    _CALCULATIONS[cls.key] = cls()
    return cls


def get(key):
    return _CALCULATIONS.get(key)


def all_calculations():
    return dict(_CALCULATIONS)


def choices():
    return [(key, str(calc.label)) for key, calc in sorted(_CALCULATIONS.items())]
