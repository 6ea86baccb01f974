# Albanian number formats. Django's own leave out the grouping size, so 25000 would never show as
# 25.000,00, the usual form in Kosovo.
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
