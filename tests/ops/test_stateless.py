"""A web machine keeps nothing of its own: sessions in the database, cache and rate limits in
Redis, uploads in S3-compatible storage when FILE_STORAGE=s3 (settings read in fresh
processes, no network), and the download views read files through the storage API only."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.models import EvidenceFile, Feedback

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.core.files.storage import storages
storage = storages["default"]
info = {
    "backend": f"{type(storage).__module__}.{type(storage).__qualname__}",
    "session_engine": settings.SESSION_ENGINE,
    "cache": settings.CACHES["default"]["BACKEND"],
}
if info["backend"].startswith("storages."):
    info.update(
        bucket=storage.bucket_name,
        endpoint=storage.endpoint_url,
        region=storage.region_name,
        acl=storage.default_acl,
        querystring_auth=storage.querystring_auth,
        custom_domain=storage.custom_domain,
        url=storage.url("evidence/1/abc"),
    )
print(json.dumps(info))
"""


def settings_in_a_fresh_process(tmp_path, **env_vars) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "FILE_STORAGE", "DATABASE_URL", "REDIS_URL"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="ethicsreview.settings",
        DEBUG="false",
        SECRET_KEY="stateless-tests-only-" + "s" * 40,
        VAR_DIR=str(tmp_path),
        # boto3 must find everything it needs here, never on the network.
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE=str(tmp_path / "none"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"),
    )
    env.update(env_vars)
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def probe(tmp_path, **env_vars) -> dict:
    result = settings_in_a_fresh_process(tmp_path, **env_vars)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_uploads_go_to_a_private_s3_bucket_with_file_storage_s3(tmp_path):
    info = probe(
        tmp_path,
        FILE_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="ethics-uploads",
        AWS_S3_ENDPOINT_URL="http://127.0.0.1:9000",
        AWS_S3_REGION_NAME="eu-central-1",
        AWS_ACCESS_KEY_ID="AKIATESTONLY",
        AWS_SECRET_ACCESS_KEY="test-only-secret",
    )
    assert info["backend"] == "storages.backends.s3.S3Storage"
    assert info["bucket"] == "ethics-uploads"
    assert info["endpoint"] == "http://127.0.0.1:9000"
    assert info["region"] == "eu-central-1"
    assert info["acl"] == "private"
    assert info["querystring_auth"] is True and info["custom_domain"] is None
    # Any URL the storage makes is signed and expires; there is no public one.
    assert "X-Amz-Signature=" in info["url"] and "X-Amz-Expires=300" in info["url"]


def test_uploads_stay_on_the_file_system_by_default(tmp_path):
    assert probe(tmp_path)["backend"] == "django.core.files.storage.filesystem.FileSystemStorage"


def test_s3_without_a_bucket_or_an_unknown_storage_is_refused(tmp_path):
    result = settings_in_a_fresh_process(tmp_path, FILE_STORAGE="s3")
    assert result.returncode != 0
    assert "FILE_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME" in result.stderr
    result = settings_in_a_fresh_process(tmp_path, FILE_STORAGE="ftp")
    assert result.returncode != 0
    assert "FILE_STORAGE must be filesystem or s3" in result.stderr


def test_with_redis_sessions_are_in_the_database_and_the_cache_in_redis(tmp_path):
    info = probe(
        tmp_path,
        REDIS_URL="redis://127.0.0.1:6379/14",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres",
    )
    assert info["session_engine"] == "django.contrib.sessions.backends.db"
    # Django's RedisCache, serving from local files only while Redis is failing.
    assert info["cache"] == "assessments.resilient_cache.FallbackRedisCache"


PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.django_db
def test_uploads_and_downloads_work_on_a_storage_without_a_file_system(
    settings, client, marketer, campaign
):
    """InMemoryStorage has no path(), like S3: the views must use the storage API."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    client.force_login(marketer)
    client.post(
        reverse("evidence_upload", args=[campaign.pk]),
        {"kind": "bias_report", "file": SimpleUploadedFile("r.pdf", PDF, "application/pdf")},
    )
    evidence = EvidenceFile.objects.get()
    response = client.get(reverse("evidence_download", args=[campaign.pk, evidence.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF

    response = client.post(
        reverse("feedback_add", args=[campaign.pk]),
        {
            "category": "other",
            "severity": "info",
            "text": "See the attached note.",
            "attachment": SimpleUploadedFile("note.pdf", PDF, "application/pdf"),
        },
    )
    assert response.status_code == 302, response.content[:500]
    feedback = Feedback.objects.exclude(attachment="").get()
    response = client.get(reverse("feedback_attachment", args=[campaign.pk, feedback.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF

    response = client.post(reverse("evidence_delete", args=[campaign.pk, evidence.pk]))
    assert response.status_code == 302
    assert not EvidenceFile.objects.exists()
