"""The same date and time format as English (see ``en/formats.py``). The pages write Western
digits, so numbers use the separators that go with them (CLDR ``ar-u-nu-latn``): Django's
Arabic "." for thousands would read 250.000 as a decimal."""

DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
