"""One date and time format on every page, in both languages: ISO dates and 24-hour times,
always shown in UTC with the label (the board works across time zones; "12/05/2026" reads
differently in each market). Numbers are grouped in thousands."""

DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
