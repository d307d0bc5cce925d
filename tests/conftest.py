import os
import shutil
import socket
import subprocess
from datetime import UTC, date, datetime
from urllib.parse import urlparse

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from assessments import audit, services, workflow
from assessments.models import Assignment, RoutingRule
from assessments.selectors import DEFAULT_QUESTIONNAIRE
from assessments.services import assessment_save_answers, campaign_create, questionnaire_load
from ethicsreview.celery import app as celery_app
from tests.factories import PASSWORD, TeamFactory, UserFactory
from tests.questionnaire.sample import sample

# CI sets REQUIRE_SERVICES=1: a missing PostgreSQL, Redis or Chromium then fails the
# run instead of skipping the tests that need it.
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
CHROMIUM = "/usr/bin/chromium"

# Property tests draw the same examples on every run, so a run's outcome never depends on
# chance; HYPOTHESIS_PROFILE=explore draws new ones (and keeps failures in .hypothesis/).
hypothesis_settings.register_profile("repeatable", derandomize=True, database=None)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


def service_missing(reason: str):
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1, so this is an error, not a skip)")
    pytest.skip(reason)


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or default_port), 2):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL")
    if not url:
        service_missing("needs Redis: REDIS_URL is not set")
    if not _reachable(url, 6379):
        service_missing(f"needs Redis: nothing answers at {url}")
    return url


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        service_missing("needs PostgreSQL: DATABASE_URL is not a PostgreSQL URL")
    return connection


@pytest.fixture
def chromium_path():
    if not os.path.exists(CHROMIUM) and not shutil.which("chromium"):
        service_missing("needs Chromium at /usr/bin/chromium (apt-get install chromium)")
    return CHROMIUM


# The fixed moment that seeded histories and "this month" figures are built at, so a test's
# outcome never depends on the day it runs (a Monday in mid-month, mid-morning UTC).
REFERENCE_TIME = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)


@pytest.fixture
def reference_time():
    """The clock starts at REFERENCE_TIME and runs on from there (time-machine)."""
    with time_machine.travel(REFERENCE_TIME, tick=True):
        yield REFERENCE_TIME


@pytest.fixture
def pdf_renderer():
    """WeasyPrint needs Pango (requirements/system-packages.sh installs it)."""
    from assessments.reports import PDF_UNAVAILABLE

    if PDF_UNAVAILABLE:
        service_missing(f"needs Pango for PDF reports ({PDF_UNAVAILABLE})")


@pytest.fixture
def arabic_fonts(pdf_renderer):
    """Arabic in PDFs is drawn with Noto Naskh Arabic (Debian package fonts-noto-core)."""
    listed = subprocess.run(["fc-list"], capture_output=True, text=True, check=False).stdout
    if "noto naskh arabic" not in listed.lower():
        service_missing("needs the Noto Naskh Arabic font (apt-get install fonts-noto-core)")


@pytest.fixture(scope="session", autouse=True)
def _audit_flush_allowed():
    """Django empties SQLite tables with DELETE FROM after transactional tests, which the audit
    table's append-only trigger refuses unless this switch is on (PostgreSQL uses TRUNCATE,
    which the row triggers do not see). Trigger tests turn it off to prove DELETE is refused."""
    previous = audit.set_test_flush_allowed(True)
    yield
    audit.set_test_flush_allowed(previous)


@pytest.fixture(autouse=True)
def _language_reset():
    """A request in Arabic leaves Arabic active in the thread; the next test starts in the
    default language whatever ran before it."""
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness is not under test; hashing is still real.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _uploads_kept_out_of_the_worktree(settings, tmp_path_factory):
    # seed_demo uploads demo creatives; no test writes into var/media.
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media"


@pytest.fixture(autouse=True)
def _board_mfa_not_required(settings):
    """Most tests make board members without a second factor; the requirement (on by
    default) is switched back on and tested in tests/security."""
    settings.REQUIRE_MFA_FOR_BOARD = False


@pytest.fixture(autouse=True)
def _isolated_cache_and_eager_tasks():
    """Each test starts with an empty shared cache (login rate limits live there), and
    Celery tasks run inline unless a test starts a real worker."""
    cache.clear()
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager


@pytest.fixture
def team():
    return TeamFactory(name="Aurora Beverages", slug="aurora")


@pytest.fixture
def other_team():
    return TeamFactory(name="Northwind Retail", slug="northwind")


@pytest.fixture
def marketer(team):
    return UserFactory(email="marketer@example.com", roles=["marketer"], teams=[team])


@pytest.fixture
def outsider(other_team):
    """A marketer of another team."""
    return UserFactory(email="outsider@example.com", roles=["marketer"], teams=[other_team])


@pytest.fixture
def reviewer():
    return UserFactory(email="reviewer@example.com", roles=["reviewer"])


@pytest.fixture
def chair():
    return UserFactory(email="chair@example.com", roles=["chair", "reviewer"])


@pytest.fixture
def manager(team):
    return UserFactory(email="manager@example.com", roles=["manager"], teams=[team])


@pytest.fixture
def admin_user():
    return UserFactory(email="admin@example.com", roles=["admin"])


@pytest.fixture
def personas(marketer, outsider, reviewer, chair, manager, admin_user):
    return {
        "marketer": marketer,
        "outsider": outsider,
        "reviewer": reviewer,
        "chair": chair,
        "manager": manager,
        "admin": admin_user,
    }


@pytest.fixture
def questionnaire(db):
    """The small sample definition, loaded as the current default questionnaire."""
    data = sample()
    data["slug"] = DEFAULT_QUESTIONNAIRE
    loaded, _ = questionnaire_load(data=data, source="sample")
    return loaded


INTAKE_POST = {
    "name": "Spring lookalikes",
    "objective": "Grow sign-ups",
    "description": "Lookalike audiences from our CRM",
    "channels": ["social"],
    "markets": ["eu"],
    "audiences": "Adults 25-45",
    "ai_techniques": ["segmentation"],
    "data_sources": ["first_party"],
    "data_categories": ["contact"],
    "flight_start": "2027-01-01",
    "flight_end": "2027-03-01",
}


@pytest.fixture
def campaign(questionnaire, marketer, team):
    intake = {
        **INTAKE_POST,
        "reaches_minors": False,
        "reaches_vulnerable": False,
        "flight_start": date(2027, 1, 1),
        "flight_end": date(2027, 3, 1),
    }
    return campaign_create(actor=marketer, team=team, intake=intake, questionnaire=questionnaire)


LOW_RISK_ANSWERS = {
    "privacy.basis": "consent",
    "privacy.special": "no",
    "privacy.dpia": "5",
    "fairness.proxies": ["none"],
    "fairness.reach": 500,
    "fairness.tested": "yes",
}


@pytest.fixture
def complete_campaign(campaign, marketer):
    """A draft whose assessment is complete and scores tier I on the sample questionnaire."""
    assessment_save_answers(actor=marketer, campaign=campaign, answers=LOW_RISK_ANSWERS)
    return campaign


@pytest.fixture
def board(chair):
    """Three more reviewers (one a privacy/legal specialist) besides the chair."""
    return [
        UserFactory(email=f"board{i}@example.com", roles=["reviewer"], is_specialist=(i == 0))
        for i in range(3)
    ]


def set_rule(tier: str, **fields) -> None:
    """Configure a tier's routing as an administrator would (the row may have been
    flushed by a transactional test: start from the built-in default)."""
    reviewers, specialist, confirms, due, valid = workflow.DEFAULT_ROUTES[tier]
    defaults = {
        "reviewers_required": reviewers,
        "specialist_required": specialist,
        "chair_confirms": confirms,
        "due_working_days": due,
        "validity_months": valid,
    }
    RoutingRule.objects.update_or_create(tier=tier, defaults={**defaults, **fields})


@pytest.fixture
def approved_campaign(complete_campaign, marketer, chair, board):
    """Submitted, reviewed by one board member and approved (tier I)."""
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    services.review_assign(actor=chair, campaign=complete_campaign, reviewers=board[:1])
    assignment = Assignment.objects.get(reviewer=board[0], status="pending")
    services.assignment_accept(actor=board[0], assignment=assignment, declaration="None")
    services.vote_cast(
        actor=board[0],
        campaign=complete_campaign,
        decision="approve",
        rationale="ok",
        password=PASSWORD,
    )
    complete_campaign.refresh_from_db()
    assert complete_campaign.status == "approved"
    return complete_campaign
