"""Images the tests sign themselves (see seeding.c2pa_signing), unsigned and tampered ones."""

from seeding.c2pa_signing import IPTC, authority, image, signed, tampered

__all__ = ["IPTC", "authority", "image", "signed", "tampered"]
