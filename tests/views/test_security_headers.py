import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url_name", ["account_login", "account_reset_password"])
def test_csp_on_anonymous_html_pages(client, url_name):
    response = client.get(reverse(url_name))
    assert response["Content-Type"].startswith("text/html")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    assert "'unsafe-inline'" not in csp
    assert "object-src 'none'" in csp
    assert "base-uri 'none'" in csp
    assert "frame-ancestors 'none'" in csp


@pytest.mark.parametrize(
    "persona,url_name",
    [("marketer", "home"), ("marketer", "my_campaigns"), ("admin", "people"), ("admin", "invite")],
)
def test_csp_nonce_matches_every_script_tag(client, personas, persona, url_name):
    client.force_login(personas[persona])
    response = client.get(reverse(url_name))
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    scripts = re.findall(r"<script\b[^>]*>", response.text)
    assert scripts, "the base layout loads Bootstrap and htmx"
    for tag in scripts:
        assert f'nonce="{nonce}"' in tag, tag
    assert " style=" not in response.text  # style-src has no 'unsafe-inline'


def test_other_security_headers(client):
    response = client.get(reverse("account_login"))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
