"""``manage.py bench``: server time of the main pages on the configured database."""
