"""The indicators the catalogue starts with, one module per component (read by reports.services.catalogue).

Each entry names its calculation by key; `seed_indicators` adds those whose calculation is not in the catalogue
yet, so codes, names and targets the M&E officer changed are never overwritten.
"""
