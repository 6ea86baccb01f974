# Albanian number and date formats. Django's own leave out the grouping size, so 25000 would never show as
# 25.000,00, the usual form in Kosovo.
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3

# Dates as written in Kosovo (27.11.2026), not Django's ISO default for Albanian.
DATE_FORMAT = "j.n.Y"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"]
