import pytest
from rest_framework.test import APIClient

from assessments import services


@pytest.fixture
def token_for():
    """A Bearer API client for a user, with a fresh personal token."""

    def make(user) -> APIClient:
        _token, raw = services.api_token_create(user=user, name="tests")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        client.raw_token = raw
        return client

    return make
