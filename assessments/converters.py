"""URL converters that let only well-formed values reach a view (anything else is a 404).

``<int:pk>`` matches any run of digits: /campaigns/99999999999999999999/ reached the
database as a number no id column holds and failed there (a server error)."""

from django.urls import register_converter


class IdConverter:
    """A database id: 1 to 18 digits, always within a bigint (and an int for version
    numbers' lookups, which Django bounds-checks)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


class PublicIdConverter:
    """A public notice's id (``secrets.token_urlsafe``): URL-safe base64 letters only."""

    regex = "[A-Za-z0-9_-]{1,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "id")
register_converter(PublicIdConverter, "public_id")
