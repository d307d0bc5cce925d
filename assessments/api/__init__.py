"""The REST API (``/api/v1/``): thin DRF views over the same services, selectors and
permission checks as the pages."""
