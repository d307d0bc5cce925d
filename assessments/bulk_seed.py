"""Bulk demo history: ``seed(n)`` adds ``n`` campaigns with a realistic, consistent review
history, written in a few bulk inserts, for measuring the dashboards at scale.

The services take tens of milliseconds per action (row locks, notifications, the per-campaign
dashboard refresh), far too slow for 100,000 campaigns. So the rows are generated here the
way the services would have written them, and inserted with PostgreSQL ``COPY`` (plain
``INSERT`` batches on SQLite):

- every campaign follows the workflow (``workflow.TRANSITIONS``) to its current state; its
  versions hold ``services.submission.version_content`` exactly (intake export, answers, the
  real scorer's ``Result.as_dict()``) and ``fingerprint_of`` that content; reviewers are
  routed per ``rule_for(tier)``, accept before they vote, sign with ``VOTE_MEANINGS``;
  decisions follow ``workflow.outcome_of`` (tier IV waits for the chair's confirmation),
  carry ``decision_reasons`` and start the approval's validity; approvals past it expired;
- scoring is slow, so a pool of a few hundred (intake profile, answers) pairs is scored once
  and every campaign takes one of them (Prohibited and unfinished ones only as drafts);
- every action has its audit event, with the services' payloads, appended to the global
  hash chain as ``audit.compute_hash`` does (checked against it regularly; the chain head
  row is locked throughout);
- each campaign's dashboard facts are ``dashboard.facts_of`` its rows as written, and
  finally ``dashboard.rebuild()`` recomputes the dashboard counts from them (and from the
  data of campaigns that existed before), without reading the new rows back.

Everything runs in one transaction: a failure leaves nothing behind. On PostgreSQL the
tables written are locked against concurrent inserts while it runs (ids are assigned here),
and against reading too: the foreign keys between them and the audit events' indexes are
dropped during the load and made again at its end (see ``_Sink.start``). The random
generator is seeded, so a run is reproducible (up to the current time).
"""

from __future__ import annotations

import bisect
import gc
import hashlib
import heapq
import io
import itertools
import json
import queue
import random
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from operator import itemgetter

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from . import audit, conditions, dashboard, search, selectors, workflow
from . import intake as vocab
from .models import (
    Assessment,
    Assignment,
    AssignmentStatus,
    AuditEvent,
    Campaign,
    CampaignVersion,
    Condition,
    ConditionStatus,
    Decision,
    DecisionKind,
    EventKind,
    Feedback,
    FeedbackCategory,
    FeedbackSeverity,
    FeedbackSource,
    ReviewReason,
    Team,
    TransparencyNotice,
    TriageStatus,
    User,
    UserRole,
    Vote,
    new_public_id,
)
from .models import CampaignStatus as S
from .models import VoteDecision as V
from .questionnaire import score, visible_codes
from .roles import Role
from .services.feedback import _notice_text, ip_hash
from .services.panel import rule_for
from .services.review import CHAIR_MEANINGS, VOTE_MEANINGS, decision_reasons
from .services.submission import fingerprint_of

# Shared by every account this module creates (hashing one password per account is slow).
BULK_PASSWORD = "Bulk-Demo-2026"
HISTORY_MONTHS = 36
GROWTH = 0.6  # campaigns per month grow by this share over the history

TEAMS = [
    ("Aurora Beverages", "aurora"),  # the demo teams (seed_demo creates them too)
    ("Northwind Retail", "northwind"),
    ("Cedar Home & Garden", "cedar"),
    ("Helios Energy", "helios"),
    ("Lumen Beauty", "lumen"),
    ("Orbit Telecom", "orbit"),
    ("Pinnacle Finance", "pinnacle"),
    ("Tidewater Travel", "tidewater"),
]
PRODUCTS = {
    "aurora": ["sparkling water", "cold brew", "energy drink", "iced tea", "kombucha"],
    "northwind": ["store card", "home delivery", "own-label range", "click-and-collect"],
    "cedar": ["garden furniture", "smart thermostat", "paint range", "kitchen refit"],
    "helios": ["solar panel", "heat pump", "green tariff", "EV charger"],
    "lumen": ["skincare", "fragrance", "hair colour", "sun care"],
    "orbit": ["5G plan", "fibre broadband", "family bundle", "prepaid SIM"],
    "pinnacle": ["savings account", "credit card", "mortgage", "travel insurance"],
    "tidewater": ["city break", "cruise", "loyalty miles", "ski holiday"],
}
THEMES = [
    "Spring",
    "Summer",
    "Autumn",
    "Winter",
    "Back-to-school",
    "Black Friday",
    "Holiday",
    "New year",
    "Ramadan",
    "Loyalty",
    "Launch",
    "Win-back",
]
MECHANICS = {
    "segmentation": "lookalikes",
    "predictive_scoring": "lead scoring",
    "personalisation": "personalised offers",
    "generated_text": "AI copy",
    "generated_media": "AI visuals",
    "synthetic_likeness": "virtual ambassador",
    "agents": "chat assistant",
    "dynamic_pricing": "dynamic offers",
}
OBJECTIVES = [
    "Grow first purchases among new customers",
    "Win back lapsed customers",
    "Raise awareness of the new range",
    "Increase repeat purchases by loyalty members",
    "Drive sign-ups before the season starts",
    "Cross-sell to existing customers",
    "Lift conversion on the website and app",
]
AUDIENCES = [
    "Adults 18+ in the selected markets.",
    "Existing customers who opted in to marketing.",
    "Lookalikes of our loyalty members, adults only.",
    "Lapsed customers with marketing consent.",
    "Adults 25-54 interested in the category.",
]
# Popularity of the intake choices (weights), so channel/market mixes look like a real board's.
WEIGHTS = {
    "channels": {
        "social": 6,
        "search": 4,
        "display": 4,
        "email": 4,
        "influencer": 2,
        "chat": 1.5,
        "instore_other": 1,
    },
    "markets": {"eu": 6, "uk": 4, "us_other": 3, "us_ca": 2.5, "gulf": 2, "other": 1.5},
    "ai_techniques": {
        "generated_text": 5,
        "segmentation": 5,
        "personalisation": 4,
        "generated_media": 3,
        "predictive_scoring": 3,
        "agents": 1.5,
        "dynamic_pricing": 1,
        "synthetic_likeness": 1,
    },
    "data_sources": {"first_party": 8, "third_party": 3, "purchased": 1.2, "scraped": 0.4},
    "data_categories": {
        "contact": 6,
        "behavioural": 6,
        "demographic": 3,
        "inferred": 3,
        "location": 2,
        "financial": 1,
        "special_category": 0.4,
        "children": 0.3,
    },
}
LIST_SIZES = {
    "channels": (1, 3),
    "markets": (1, 3),
    "ai_techniques": (1, 3),
    "data_sources": (1, 2),
    "data_categories": (1, 3),
}
RATIONALES = {
    V.APPROVE: [
        "First-party data, human review before publication, clear AI labels.",
        "Low residual risk; the safeguards described are proportionate.",
        "Consent basis and opt-outs are in place; nothing further needed.",
    ],
    V.APPROVE_WITH_CONDITIONS: [
        "Acceptable once the conditions below are met before launch.",
        "Proportionate if the labelling and monitoring conditions are kept.",
    ],
    V.REQUEST_CHANGES: [
        "The assessment leaves key safeguards open; please complete them and resubmit.",
        "Targeting needs a documented balancing test and a bias check first.",
        "The disclosure of generated content is not sufficient yet.",
    ],
    V.REJECT: [
        "The residual risk to vulnerable people is too high for this design.",
        "The data sources cannot lawfully support this use.",
        "Automated persuasion at this scale without oversight is not acceptable.",
    ],
}
CONDITIONS = [
    "Every generated image or video carries a visible AI label.",
    "Influencer posts are labelled as sponsored and AI-assisted.",
    "Exclude under-18s from every audience, verified by the platform's age signals.",
    "A person approves each message variant before it is sent.",
    "Run the bias check again one month after launch and share the result.",
    "Publish the transparency notice before the campaign starts.",
    "Honour opt-outs and Global Privacy Control within 24 hours.",
]
FEEDBACK_TEXTS = {
    FeedbackCategory.PRIVACY: [
        "I received an offer that seems to use my location without asking.",
        "The opt-out link in the e-mail did not work.",
    ],
    FeedbackCategory.BIAS: [
        "The offers seem to differ by neighbourhood; is that intended?",
        "Older customers do not see the discount at all.",
    ],
    FeedbackCategory.TRANSPARENCY: [
        "It was not clear the chat assistant was an AI.",
        "The advert does not say the image was generated.",
    ],
    FeedbackCategory.ACCURACY: [
        "The generated copy states a price that is wrong.",
        "The product claim in the advert is not accurate.",
    ],
    FeedbackCategory.MANIPULATION: [
        "The countdown timer restarts every time the page is opened.",
        "The messages push very hard late at night.",
    ],
    FeedbackCategory.OTHER: ["General question about the campaign.", "Please call me back."],
}
TRIAGE_NOTES = {
    TriageStatus.ACKNOWLEDGED: "",
    TriageStatus.ACTION_TAKEN: "Raised with the team; the messages were corrected.",
    TriageStatus.DISMISSED: "Checked: the campaign works as approved.",
}
COI_DECLARATIONS = [
    "No interest in this team or vendor.",
    "None.",
    "No conflict of interest.",
    "I worked with this team two years ago; no current interest.",
]
RECUSAL_REASONS = [
    "I advised the vendor on this tool last year.",
    "A family member works in this team.",
    "I am on leave during the review period.",
]

FIRST_NAMES = [
    "Amira",
    "Ben",
    "Carla",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hugo",
    "Iris",
    "Jonas",
    "Karim",
    "Lena",
    "Mateo",
    "Nadia",
    "Oscar",
    "Priya",
    "Quinn",
    "Rana",
    "Sami",
    "Tara",
    "Umar",
    "Vera",
    "Wes",
    "Yara",
    "Zane",
    "Alma",
    "Bruno",
    "Cleo",
    "Dario",
    "Esme",
    "Felix",
    "Gita",
    "Hana",
    "Ivo",
]
LAST_NAMES = [
    "Haddad",
    "Okafor",
    "Novak",
    "Silva",
    "Larsen",
    "Rahman",
    "Moreau",
    "Tanaka",
    "Fischer",
    "Costa",
    "Ibrahim",
    "Jensen",
    "Kowalski",
    "Nguyen",
    "Ortiz",
    "Petrov",
    "Quinlan",
    "Rossi",
    "Schmidt",
    "Tran",
    "Underwood",
    "Varga",
    "Walsh",
    "Yilmaz",
    "Zhou",
    "Abbott",
    "Bianchi",
    "Castro",
    "Dubois",
    "Ekberg",
    "Fontaine",
    "Garcia",
    "Hughes",
    "Ishikawa",
]

# What happens to a campaign, with its share of the campaigns. "approved" and "conditions"
# end approved (with conditions) or, once the validity has passed, expired.
STORIES = {
    "approved": 41,
    "conditions": 22,
    "rejected": 12.5,
    "withdrawn": 4,
    "rereview": 2.5,
    "changes_requested": 3.5,
    "draft": 4,
    "submitted": 1.0,
    "in_review": 2.2,
    "awaiting": 0.7,
}
# Tier weights (I, II, III, IV) of the version the board decides, per story.
TIER_WEIGHTS = {
    "approved": (46, 34, 16, 4),
    "conditions": (26, 40, 26, 8),
    "rejected": (5, 20, 40, 35),
    "changes_requested": (12, 36, 34, 18),
    "rereview": (30, 36, 26, 8),
}
DEFAULT_TIER_WEIGHTS = (36, 33, 21, 10)
TIERS = ("I", "II", "III", "IV")

BATCH = 5000
EPSILON = timedelta(microseconds=1000)  # between the writes of one transaction
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


# --- writing rows ---------------------------------------------------------------------------


# The columns written, per model (checked against the models at start).
def _columns(names: str) -> tuple[str, ...]:
    return tuple(names.split())


COLUMNS: dict[type, tuple[str, ...]] = {
    Campaign: _columns(
        "id team_id owner_id name objective description channels markets audiences "
        "reaches_minors reaches_vulnerable ai_techniques data_sources data_categories "
        "flight_start flight_end status tier submitted_at first_submitted_at "
        "review_due_at decided_at approval_expires_at rereview_flagged_at created_at "
        "updated_at search_text"
    ),
    Assessment: _columns(
        "id campaign_id questionnaire_id answers last_section created_at updated_at"
    ),
    CampaignVersion: _columns(
        "id campaign_id number questionnaire_id content fingerprint tier submitted_by_id created_at"
    ),
    Assignment: _columns(
        "id campaign_id version_id reviewer_id assigned_by_id status coi_declaration "
        "recusal_reason created_at responded_at"
    ),
    Vote: _columns(
        "id campaign_id version_id reviewer_id decision rationale conditions reasons "
        "signer_name signed_at meaning fingerprint"
    ),
    Decision: _columns(
        "id campaign_id version_id outcome kind rationale decided_by_id signer_name "
        "meaning fingerprint reasons created_at"
    ),
    Condition: _columns(
        "id campaign_id version_id vote_id text status fulfilment_note fulfilled_by_id "
        "fulfilled_at verified_by_id verified_at awaiting_verification"
    ),
    Feedback: _columns(
        "id campaign_id source category severity text author_id contact_email "
        "contact_consent ip_hash attachment attachment_name attachment_type status "
        "triage_note triaged_by_id triaged_at created_at"
    ),
    TransparencyNotice: _columns(
        "id campaign_id public_id title_en title_ar body_en body_ar contact published_at updated_at"
    ),
    AuditEvent: _columns("id seq kind campaign_id actor_id created_at payload prev_hash hash"),
}


def _fields(model: type, names: str) -> itemgetter:
    """Read these columns (by name) out of a row of ``model`` as written."""
    return itemgetter(*(COLUMNS[model].index(name) for name in names.split()))


_DECISION_FIELDS = _fields(Decision, "id version_id kind outcome reasons created_at")
_ASSIGNMENT_FIELDS = _fields(Assignment, "version_id reviewer_id status created_at")
_VOTE_FIELDS = _fields(Vote, "version_id reviewer_id signed_at")
_FEEDBACK_FIELDS = _fields(Feedback, "category created_at")


# canonical.canonical_json's options in an encoder made once (json.dumps makes one per call); the
# version fingerprints and the audit hashes are checked against the real functions.
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _dumps(value) -> str:
    """JSON text for a JSON column (canonical form: compact, sorted keys)."""
    return _CANONICAL.encode(value)


class _Sink:
    """Buffers rows and writes them in batches, tables in the order of COLUMNS (so a row's
    references are written before it): on PostgreSQL with COPY from a writer thread (the
    server parses, indexes and checks foreign keys while Python generates), elsewhere with
    executemany INSERT. Ids are assigned here; on PostgreSQL the tables are locked against
    other inserts until the transaction ends (and against reading: see start())."""

    FLUSH_ROWS = 20_000
    # The writer thread needs the GIL briefly between its many waits on the network; while
    # the main thread generates, it keeps the GIL for the switch interval (5 ms by default)
    # before handing it over, so the writer fell behind and the server waited for data
    # (measured: a third of the time). This shorter interval applies while the writer runs.
    SWITCH_INTERVAL = 0.0002

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"
        self.buffers: dict[type, list[tuple]] = {model: [] for model in COLUMNS}
        self.pending = 0
        self.next_ids: dict[type, int] = {}
        self.first_ids: dict[type, int] = {}
        self.written: Counter = Counter()
        # model -> the rows added since the caller last emptied the list (see tap())
        self.tapped: dict[type, list[tuple]] = {}
        self.restore: list[str] = []  # statements that rebuild what start() dropped
        self.thread: threading.Thread | None = None
        self.failure: BaseException | None = None
        for model, columns in COLUMNS.items():
            actual = {f.column for f in model._meta.concrete_fields}
            if set(columns) != actual:
                raise RuntimeError(
                    f"bulk_seed is out of date for {model.__name__}: "
                    f"columns {sorted(actual ^ set(columns))} differ from the model"
                )

    def start(self) -> None:
        tables = [model._meta.db_table for model in COLUMNS]
        with connection.cursor() as cursor:
            if self.postgres:
                # Nobody else may insert (and draw ids) until we commit.
                cursor.execute(f"LOCK TABLE {', '.join(tables)} IN EXCLUSIVE MODE")
                # Check foreign keys as each COPY ends (in the writer thread, while Python
                # works) rather than all at once at COMMIT.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                # Those between the tables written are checked once at the end instead, and
                # the audit events' indexes (two on random hashes: every insert touched
                # another page) are built once at the end: the server's share of the load
                # halves. Dropping them locks these tables against reading until we commit.
                self.restore = dashboard.drop_indexes(
                    cursor,
                    indexes_of=[AuditEvent._meta.db_table],
                    foreign_keys_of=tables,
                    referring_to=tables,
                )
                for model in COLUMNS:
                    cursor.execute(
                        "SELECT nextval(pg_get_serial_sequence(%s, 'id'))",
                        [model._meta.db_table],
                    )
                    self.next_ids[model] = cursor.fetchone()[0]
            else:
                for model in COLUMNS:
                    cursor.execute(
                        f"SELECT COALESCE(MAX(id), 0) + 1 FROM {model._meta.db_table}"  # noqa: S608
                    )
                    self.next_ids[model] = cursor.fetchone()[0]
        self.first_ids = dict(self.next_ids)
        if self.postgres:
            # The same session (and transaction) as Django's connection; the main thread
            # does not use the connection until close().
            self.raw = connection.connection
            self.queue: queue.Queue = queue.Queue(maxsize=4)
            self.thread = threading.Thread(target=self._copy_loop, name="bulk-seed-copy")
            self.switch_interval = sys.getswitchinterval()
            sys.setswitchinterval(self.SWITCH_INTERVAL)
            self.thread.start()

    def new_id(self, model: type) -> int:
        value = self.next_ids[model]
        self.next_ids[model] = value + 1
        return value

    def tap(self, *models: type) -> None:
        """Also collect the rows of these models in ``tapped`` (the caller empties it)."""
        for model in models:
            self.tapped[model] = []

    def add(self, model: type, row: tuple) -> None:
        self.buffers[model].append(row)
        self.pending += 1
        tapped = self.tapped.get(model)
        if tapped is not None:
            tapped.append(row)

    def flush_if_full(self) -> None:
        """Call only when every buffered row's references are buffered too (between
        campaigns): foreign keys are checked as each batch is written."""
        if self.pending >= self.FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        batch = [(model, rows) for model, rows in self.buffers.items() if rows]
        if not batch:
            return
        self.buffers = {model: [] for model in COLUMNS}
        self.pending = 0
        for model, rows in batch:
            self.written[model] += len(rows)
        if not self.postgres:
            self._insert(batch)
            return
        self._hand_over(batch)

    def _hand_over(self, work) -> None:
        """Queue a batch of rows (or a function of a cursor) for the writer thread."""
        while True:
            if self.failure is not None:
                raise RuntimeError("writing the generated rows failed") from self.failure
            try:
                self.queue.put(work, timeout=1)
                return
            except queue.Full:
                continue

    def _copy_loop(self) -> None:
        while True:
            batch = self.queue.get()
            if batch is None:
                return
            if self.failure is not None:
                continue  # drain; close() reports the failure
            try:
                with self.raw.cursor() as cursor:
                    if callable(batch):
                        batch(cursor)
                        continue
                    for model, rows in batch:
                        table, columns = model._meta.db_table, ", ".join(COLUMNS[model])
                        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                            for row in rows:
                                copy.write_row(row)
            except BaseException as exc:  # handed to the main thread
                self.failure = exc

    def _insert(self, batch) -> None:
        adapt = connection.ops.adapt_datetimefield_value
        with connection.cursor() as cursor:
            for model, rows in batch:
                columns = COLUMNS[model]
                converted = [
                    tuple(
                        adapt(v)
                        if isinstance(v, datetime)
                        else v.isoformat()
                        if isinstance(v, date)
                        else v
                        for v in row
                    )
                    for row in rows
                ]
                placeholders = ", ".join(["%s"] * len(columns))
                cursor.executemany(
                    f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "  # noqa: S608
                    f"VALUES ({placeholders})",
                    converted,
                )

    def close(self, *, check: bool = True) -> None:
        """Write what is buffered (with ``check``), wait for the writer thread, and raise
        its failure (with ``check``). Safe to call again, and after an error (before the
        transaction rolls back)."""
        if check:
            self.flush()
        if self.thread is not None:
            self.queue.put(None)
            self.thread.join()
            self.thread = None
            sys.setswitchinterval(self.switch_interval)
        if check and self.failure is not None:
            raise RuntimeError("writing the generated rows failed") from self.failure

    def finish(self, meanwhile: Callable[[], None] = lambda: None) -> None:
        """Write what is buffered, move the id sequences past the ids used (PostgreSQL;
        SQLite follows by itself) and make again what start() dropped. On PostgreSQL the
        writer thread does this while ``meanwhile`` runs here: Python work that does not
        use the database (the server is busy, this process would wait)."""
        self.flush()
        if self.postgres:
            self._hand_over(self._restore)
        meanwhile()
        self.close()

    def _restore(self, cursor) -> None:
        for model in COLUMNS:
            last = self.next_ids[model] - 1
            if last >= self.first_ids[model]:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
                    [model._meta.db_table, last],
                )
        for statement in self.restore:
            cursor.execute(statement)


# --- people ---------------------------------------------------------------------------------


@dataclass
class _Person:
    id: int
    name: str
    email: str
    specialist: bool = False


@dataclass
class _People:
    teams: list[Team]
    marketers: dict[int, list[_Person]]  # team id -> marketers
    managers: dict[int, list[_Person]]
    reviewers: list[_Person]
    chairs: list[_Person]
    created: int = 0


def _people_spec() -> list[tuple[str, str, list[str], list[str], bool]]:
    """(e-mail, name, roles, team slugs, specialist) of the accounts this module adds."""
    names = iter(zip(FIRST_NAMES, LAST_NAMES, strict=True))
    spec = []

    def person(roles, teams, specialist=False):
        first, last = next(names)
        spec.append(
            (f"{first}.{last}@example.com".lower(), f"{first} {last}", roles, teams, specialist)
        )

    for _name, slug in TEAMS:
        for _ in range(2 if slug in ("aurora", "northwind") else 3):
            person([Role.MARKETER], [slug])
    slugs = [slug for _name, slug in TEAMS]
    person([Role.MANAGER], slugs[2:5])
    person([Role.MANAGER], slugs[5:])
    person([Role.CHAIR, Role.REVIEWER], [])
    for index in range(9):
        person([Role.REVIEWER], [], specialist=index < 3)
    return spec


def _ensure_people(now: datetime) -> _People:
    """Teams and accounts (created once; later runs reuse them). One password hash for all."""
    teams = {}
    for name, slug in TEAMS:
        teams[slug], _ = Team.objects.get_or_create(slug=slug, defaults={"name": name})
    spec = _people_spec()
    existing = set(
        User.objects.filter(email__in=[s[0] for s in spec]).values_list("email", flat=True)
    )
    missing = [s for s in spec if s[0] not in existing]
    if missing:
        password = make_password(BULK_PASSWORD)
        User.objects.bulk_create(
            [
                User(
                    email=email,
                    display_name=name,
                    password=password,
                    language="en",
                    is_specialist=specialist,
                    date_joined=now - timedelta(days=31 * HISTORY_MONTHS + 30),
                )
                for email, name, _roles, _teams, specialist in missing
            ]
        )
        ids = dict(
            User.objects.filter(email__in=[s[0] for s in missing]).values_list("email", "id")
        )
        UserRole.objects.bulk_create(
            [UserRole(user_id=ids[s[0]], role=role) for s in missing for role in s[2]],
            ignore_conflicts=True,
        )
        Membership = User.teams.through
        Membership.objects.bulk_create(
            [Membership(user_id=ids[s[0]], team_id=teams[t].pk) for s in missing for t in s[3]],
            ignore_conflicts=True,
        )
        EmailAddress.objects.bulk_create(
            [
                EmailAddress(user_id=ids[s[0]], email=s[0], verified=True, primary=True)
                for s in missing
            ]
        )
    team_list = [teams[slug] for _name, slug in TEAMS]

    def people(role, **filters):
        qs = (
            User.objects.filter(is_active=True, roles__role=role, **filters)
            .order_by("pk")
            .distinct()
        )
        return [_Person(u.pk, u.display_name or u.email, u.email, u.is_specialist) for u in qs]

    return _People(
        teams=team_list,
        marketers={t.pk: people(Role.MARKETER, teams=t) for t in team_list},
        managers={t.pk: people(Role.MANAGER, teams=t) for t in team_list},
        reviewers=people(Role.REVIEWER),
        chairs=people(Role.CHAIR),
        created=len(missing),
    )


# --- the pool of scored assessments ---------------------------------------------------------


@dataclass
class _Profile:
    """The intake fields questionnaire conditions test, and the answer sets scored for it."""

    intake: dict
    json: dict  # field -> JSON text of its list
    entries: list[_Entry] = field(default_factory=list)


@dataclass
class _Entry:
    profile: _Profile
    answers: dict
    answers_json: str
    saves: list[tuple[list[str], str]]  # answer saves: (question codes, section)
    score_json: str
    tier: str
    overall: float
    top: str  # the dimension with the highest residual %
    complete: bool
    prohibited: bool


class _Pool:
    PROFILES = 150

    def __init__(self, questionnaire, rng: random.Random):
        self.questionnaire = questionnaire
        self.definition = selectors.definition_of(questionnaire)
        self.rng = rng
        self.section_of = {
            q.code: section.code for section in self.definition.sections for q in section.questions
        }
        self.order = {q.code: i for i, q in enumerate(self.definition.question_list)}
        self.profiles: list[_Profile] = []
        self.by_tier: dict[str, list[_Entry]] = defaultdict(list)
        self.prohibited: list[_Entry] = []
        self.started: list[_Entry] = []
        self.scored = 0
        self._changes: dict[tuple[int, int], list[str]] = {}
        for index in range(self.PROFILES):
            profile = self._profile()
            for low, high in ((0.0, 0.35), (0.3, 0.7), (0.6, 1.0)):
                self._add(profile, self._answers(profile.intake, rng.uniform(low, high)))
            if index % 3 == 0:
                self._add(profile, self._prohibited(profile.intake))
            if index % 5 == 0:
                self._add(profile, self._answers(profile.intake, rng.random(), sections=2))
            self.profiles.append(profile)
        self.complete = [
            e for p in self.profiles for e in p.entries if e.complete and not e.prohibited
        ]
        if not self.complete:
            raise RuntimeError("No complete assessment could be generated for the questionnaire.")

    # intake
    def _pick(self, name: str) -> list[str]:
        weights = WEIGHTS[name]
        lo, hi = LIST_SIZES[name]
        values = list(weights)
        chosen: set[str] = set()
        for _ in range(self.rng.randint(lo, hi)):
            rest = [v for v in values if v not in chosen]
            chosen.add(self.rng.choices(rest, [weights[v] for v in rest])[0])
        order = [value for value, _label in vocab.LIST_FIELDS[name]]
        return [v for v in order if v in chosen]

    def _profile(self) -> _Profile:
        intake = {name: self._pick(name) for name in vocab.LIST_FIELDS}
        intake["reaches_minors"] = self.rng.random() < 0.08
        intake["reaches_vulnerable"] = self.rng.random() < 0.15
        return _Profile(
            intake=intake, json={name: _dumps(intake[name]) for name in vocab.LIST_FIELDS}
        )

    # answers
    def _answer(self, question, risk: float):
        """An answer whose riskiness follows ``risk`` (0 careful … 1 reckless), never a
        red-flag option."""
        rng = self.rng
        if question.type == "text":
            if question.required or rng.random() < 0.4:
                return "Reviewed with legal and the data team."
            return None
        if question.type == "number":
            bands = question.bands
            if not bands:
                low = int(question.min or 0)
                return rng.randint(low, max(low, int(question.max or 100_000)))
            level = (1 - risk) if question.mitigation else risk
            i = min(len(bands) - 1, max(0, round(level * (len(bands) - 1) + rng.gauss(0, 0.7))))
            low = int(bands[i - 1].upto) + 1 if i > 0 else int(question.min or 0)
            high = int(bands[i].upto) if bands[i].upto is not None else int(question.max or 10**8)
            if question.max is not None:
                high = min(high, int(question.max))
            return rng.randint(low, max(low, high))
        safe = [o for o in question.options if not o.red_flag]
        if question.type == "multiple":
            plain = [o for o in safe if not o.exclusive]
            if question.mitigation:
                chosen = [o for o in plain if o.weight > 0 and rng.random() < 0.9 - 0.8 * risk]
            else:
                chosen = [o for o in plain if rng.random() < 0.8 * risk]
            if not chosen:
                exclusive = [o for o in safe if o.exclusive]
                if exclusive:
                    chosen = exclusive[:1]
                elif plain:
                    chosen = [
                        min(plain, key=lambda o: -o.weight if question.mitigation else o.weight)
                    ]
            return [o.value for o in chosen] or None
        ranked = sorted(safe, key=lambda o: -o.weight if question.mitigation else o.weight)
        if not ranked:
            return None
        i = min(len(ranked) - 1, max(0, round(risk * (len(ranked) - 1) + self.rng.gauss(0, 0.9))))
        return ranked[i].value

    def _complete(self, intake: dict, answers: dict, risk: float, sections: int | None) -> dict:
        """Answer the visible questions in order until no new one appears."""
        allowed = {s.code for s in self.definition.sections[:sections]} if sections else None
        while True:
            added = False
            for code in visible_codes(self.definition, intake, answers):
                if code in answers or (allowed and self.section_of[code] not in allowed):
                    continue
                question = self.definition.questions[code]
                value = question.normalise(self._answer(question, risk))
                answers[code] = value
                added = True
            if not added:
                return {code: value for code, value in answers.items() if value is not None}

    def _answers(self, intake: dict, risk: float, sections: int | None = None) -> dict:
        return self._complete(intake, {}, risk, sections)

    def _prohibited(self, intake: dict) -> dict:
        answers = self._answers(intake, self.rng.uniform(0.3, 0.8))
        visible = set(visible_codes(self.definition, intake, answers))
        flagged = [
            (q, o)
            for q in self.definition.question_list
            if q.code in visible
            for o in q.options
            if o.red_flag
        ]
        if not flagged:
            return answers
        question, option = self.rng.choice(flagged)
        answers[question.code] = question.normalise(
            [option.value] if question.type == "multiple" else option.value
        )
        return self._complete(intake, answers, 0.5, None)

    def _add(self, profile: _Profile, answers: dict) -> None:
        result = score(self.definition, profile.intake, answers, suggest=False)
        self.scored += 1
        data = result.as_dict()
        codes = sorted(answers, key=self.order.__getitem__)
        # Saved in one or two goes, section by section, as people fill it in.
        sections = list(dict.fromkeys(self.section_of[c] for c in codes))
        cuts = self.rng.sample(
            range(1, len(sections)), min(self.rng.choice((0, 1, 1)), max(0, len(sections) - 1))
        )
        bounds = [0, *sorted(cuts), len(sections)]
        groups = [sections[a:b] for a, b in itertools.pairwise(bounds)]
        saves = []
        for group in groups if codes else []:
            in_group = set(group)
            saves.append((sorted(c for c in codes if self.section_of[c] in in_group), group[-1]))
        dimensions = data["dimensions"]
        top = (
            max(sorted(dimensions), key=lambda d: dimensions[d]["residual_pct"])
            if dimensions
            else ""
        )
        entry = _Entry(
            profile=profile,
            answers=answers,
            answers_json=_dumps(answers),
            saves=[s for s in saves if s[0]],
            score_json=_dumps(data),
            tier=result.tier,
            overall=data["overall_pct"],
            top=top,
            complete=result.complete,
            prohibited=result.prohibited,
        )
        profile.entries.append(entry)
        if entry.prohibited:
            self.prohibited.append(entry)
        elif not entry.complete:
            self.started.append(entry)
        else:
            self.by_tier[entry.tier].append(entry)

    # choosing
    def for_tier(self, tier: str) -> _Entry:
        candidates = self.by_tier.get(tier)
        if not candidates:  # a questionnaire that never gives this tier
            return self.rng.choice(self.complete)
        return self.rng.choice(candidates)

    def revision_of(self, entry: _Entry) -> _Entry:
        """Another complete answer set of the same intake profile: the revised assessment
        (the least risky one, usually)."""
        others = [
            e for e in entry.profile.entries if e is not entry and e.complete and not e.prohibited
        ]
        if not others:
            return entry
        if self.rng.random() < 0.8:
            return min(others, key=lambda e: e.overall)
        return self.rng.choice(others)

    def changed_codes(self, old: _Entry, new: _Entry) -> list[str]:
        key = (id(old), id(new))
        codes = self._changes.get(key)
        if codes is None:
            codes = sorted(
                c
                for c in set(old.answers) | set(new.answers)
                if old.answers.get(c) != new.answers.get(c)
            )
            self._changes[key] = codes
        return codes


# --- generating campaigns -------------------------------------------------------------------


# --- generating campaigns -------------------------------------------------------------------


class _VoteStub:
    """A cast vote, as far as this module (and ``decision_reasons``) reads it."""

    __slots__ = ("id", "reviewer", "decision", "reasons", "conditions")

    def __init__(self, id, reviewer, decision, reasons, conditions):
        self.id = id
        self.reviewer = reviewer
        self.decision = decision
        self.reasons = reasons
        self.conditions = conditions


@dataclass(slots=True)
class _AssignmentPlan:
    """One reviewer asked to review a version; times are offsets from its submission."""

    reviewer: _Person
    kind: str  # "chair" (assigned by a chair), "carried" (voted on the last version), "replacement"
    created: timedelta
    assigned_by: _Person | None = None
    recuse_at: timedelta | None = None
    accept_at: timedelta | None = None
    vote_at: timedelta | None = None
    vote: str = ""
    replaces: int | None = None


@dataclass(slots=True)
class _ReviewPlan:
    rule: object
    assignments: list[_AssignmentPlan]
    staffed_at: timedelta | None  # when the panel is complete and the review starts
    decide_at: timedelta  # just after the last vote
    confirm_at: timedelta | None  # the chair's confirmation (tiers that need it)

    @property
    def end(self) -> timedelta:
        return self.confirm_at or self.decide_at

    @property
    def voters(self) -> list[_Person]:
        return [a.reviewer for a in self.assignments if a.recuse_at is None]


@dataclass(slots=True)
class _Plan:
    """A campaign's drafting and its versions' reviews, planned before it is placed in time."""

    entries: list[_Entry]
    draft: list[tuple[timedelta, list[str], str]]  # answer saves: offset, codes, section
    first_span: timedelta  # creation -> first submission
    reviews: list[_ReviewPlan]
    reworks: list[tuple[timedelta, timedelta]]  # decision -> revised answers -> resubmission

    @property
    def lead(self) -> timedelta:
        """Creation -> submission of the last version."""
        span = self.first_span
        for review, (rework, resubmit) in zip(self.reviews, self.reworks, strict=False):
            span += review.end + rework + resubmit
        return span


@dataclass(slots=True)
class _Version:
    id: int
    number: int
    entry: _Entry
    fingerprint: str
    tier: str
    created_at: datetime
    votes: list[_VoteStub] = field(default_factory=list)


class _C:
    """One campaign being generated: the fields of its row, filled in as its history runs."""

    __slots__ = (
        "id",
        "team",
        "owner",
        "profile",
        "entry",
        "name",
        "objective",
        "description",
        "audiences",
        "flight_start",
        "flight_end",
        "export_json",
        "status",
        "tier",
        "submitted_at",
        "first_submitted_at",
        "review_due_at",
        "decided_at",
        "approval_expires_at",
        "rereview_flagged_at",
        "created_at",
        "updated_at",
        "answers_at",
        "last_section",
        "versions",
        "notice_at",
        "latest",
    )

    def __init__(self, team: Team, owner: _Person):
        self.id = 0
        self.team = team
        self.owner = owner
        self.status = S.DRAFT
        self.tier = ""
        self.submitted_at = self.first_submitted_at = self.review_due_at = None
        self.decided_at = self.approval_expires_at = self.rereview_flagged_at = None
        self.updated_at = self.notice_at = None
        self.last_section = ""
        self.versions: list[_Version] = []

    def touch(self, moment: datetime) -> None:
        if self.updated_at is None or moment > self.updated_at:
            self.updated_at = moment


class _Generator:
    """Plans every campaign's story, then runs them in order of creation (so ids follow
    time, as they would have), writing rows to the sink and collecting audit events."""

    def __init__(self, *, rng, now, sink: _Sink, people: _People, pool: _Pool, chain: _Chain):
        self.rng = rng
        self.chain = chain
        self.now = now
        self.start = workflow.add_months(now, -HISTORY_MONTHS)
        self.sink = sink
        self.people = people
        self.pool = pool
        self.questionnaire = pool.questionnaire
        self.rules = {tier: rule_for(tier) for tier in TIERS}
        self.confirm_tiers = [t for t in TIERS if self.rules[t].chair_confirms]
        self.team_weights = [rng.uniform(0.6, 1.6) for _ in people.teams]
        self.notice_texts: dict[int, tuple[str, str, str, str]] = {}
        self.statuses: Counter = Counter()
        self.tiers: Counter = Counter()
        self.reasons = list(ReviewReason.values)
        self.content_prefix = json.dumps(self.questionnaire.slug, ensure_ascii=False)
        self.content_checked = False
        # Each campaign's dashboard facts, from the rows written for it (see _facts).
        self.facts: dict[int, dict] = {}
        self.decoded: dict[str, object] = {}  # JSON text -> value (scores, reasons)
        sink.tap(Decision, Assignment, Vote, Feedback)

    # --- driving
    def run(self, deck: list[str], log: Callable[[str], None]) -> None:
        rng = self.rng
        planned = []
        for index, story in enumerate(deck):
            team = rng.choices(self.people.teams, self.team_weights)[0]
            c = _C(team, rng.choice(self.people.marketers[team.pk]))
            steps = getattr(self, f"_story_{story}")(c)
            next(steps)  # plans the story (see _place)
            planned.append([c.created_at, index, c, steps])
        self._allocate(planned)
        planned.sort(key=lambda item: (item[0], item[1]))
        log(f"  planned {len(planned):,} campaign histories")
        step = max(1, len(planned) // 5)
        for done in range(len(planned)):
            _created, _index, c, steps = planned[done]
            planned[done] = None  # let the finished plan go
            c.id = self.sink.new_id(Campaign)
            self._describe(c)
            self.event(
                c.created_at,
                c,
                EventKind.CREATED,
                c.owner,
                {"team": c.team.pk, "questionnaire": self.questionnaire.pk},
            )
            for _ in steps:
                pass
            self._write_campaign(c)
            self.facts[c.id] = self._facts(c)
            # Every event before the next campaign's creation is known now.
            if done + 1 < len(planned):
                self.chain.append_until(planned[done + 1][0])
            self.sink.flush_if_full()
            self.statuses[c.status] += 1
            self.tiers[c.tier or ("prohibited" if c.entry.prohibited else "unfinished")] += 1
            if (done + 1) % step == 0 or done + 1 == len(planned):
                log(
                    f"  generated {done + 1:,} campaigns, {self.chain.count:,} events "
                    f"({len(self.chain.heap):,} still to come)"
                )

    def _allocate(self, planned: list[list]) -> None:
        """Creation times for the stories that are not anchored to now, so that the
        campaigns created per month follow a smooth curve (a board that grows by
        ``GROWTH`` over the history): each goes, most constrained first, to a month before
        its latest possible creation, in proportion to what that month still lacks."""
        rng = self.rng
        bounds = []
        moment = self.start
        while moment < self.now:
            following = min(workflow.add_months(moment, 1), self.now)
            bounds.append((moment, following))
            moment = following
        span = (self.now - self.start).total_seconds()
        weights = []
        for first, last in bounds:
            middle = ((first - self.start) + (last - first) / 2).total_seconds() / span
            weights.append((1 + GROWTH * middle) * (last - first).total_seconds())
        total = sum(weights)
        room = [len(planned) * w / total for w in weights]
        starts = [first for first, _last in bounds]

        def month_of(moment: datetime) -> int:
            return max(0, bisect.bisect_right(starts, moment) - 1)

        for item in planned:
            if item[0] is not None:
                room[month_of(item[0])] -= 1
        flexible = sorted((item for item in planned if item[0] is None), key=lambda i: i[2].latest)
        for item in flexible:
            c = item[2]
            last = month_of(c.latest) if c.latest > self.start else -1
            if last < 0:
                created = c.latest
            else:
                # The last month counts only up to the latest creation time.
                first, end = bounds[last]
                share = (c.latest - first) / (end - first)
                options = [max(r, 0.0) for r in room[: last + 1]]
                options[last] *= share
                if sum(options) <= 0:
                    options = list(weights[: last + 1])
                    options[last] *= share
                month = rng.choices(range(last + 1), options)[0]
                first, end = bounds[month]
                created = first + (min(end, c.latest) - first) * rng.random()
                room[month] -= 1
            c.created_at = item[0] = created

    # --- small helpers
    def between(self, low: timedelta, high: timedelta) -> timedelta:
        return low + (high - low) * self.rng.random()

    def skewed(self, low: timedelta, high: timedelta) -> timedelta:
        """Mostly short, sometimes long (as waiting times are)."""
        return low + (high - low) * (self.rng.random() ** 2)

    def _place(
        self,
        c: _C,
        entry: _Entry,
        *,
        created: datetime | None = None,
        span: timedelta | None = None,
    ) -> None:
        """Planning ends here: the story's first assessment, and either its creation time
        (stories anchored to now) or how long the whole story takes (``_allocate`` then
        picks a creation time that leaves it all in the past)."""
        c.entry = entry
        c.created_at = created
        c.latest = None if span is None else self.now - span - HOUR

    def event(self, moment, c: _C, kind: str, actor: _Person | None, payload: dict) -> None:
        self.chain.push(moment, c.id, str(kind), actor.id if actor else None, payload)

    def tier_for(self, story: str) -> str:
        return self.rng.choices(TIERS, TIER_WEIGHTS.get(story, DEFAULT_TIER_WEIGHTS))[0]

    # --- drafting
    def _describe(self, c: _C) -> None:
        """Name, texts and flight of the campaign (the flight starts after its creation)."""
        rng = self.rng
        created = c.created_at
        c.profile = c.entry.profile
        c.answers_at = created
        c.touch(created)
        intake = c.profile.intake
        techniques = intake["ai_techniques"]
        c.flight_start = (created + self.between(14 * DAY, 100 * DAY)).date()
        c.flight_end = c.flight_start + timedelta(days=rng.randint(14, 150))
        product = rng.choice(PRODUCTS.get(c.team.slug, ["product range"]))
        mechanic = MECHANICS.get(techniques[0], "campaign") if techniques else "campaign"
        c.name = f"{rng.choice(THEMES)} {product} {mechanic} {c.flight_start.year}"
        c.objective = rng.choice(OBJECTIVES)
        uses = ", ".join(MECHANICS.get(t, t) for t in techniques) or "planning"
        c.description = (
            f"{c.objective}. AI is used for {uses}; the team reviews what it produces "
            "before launch."
        )
        c.audiences = rng.choice(AUDIENCES)
        # Campaign.intake_export(), as versions freeze it.
        c.export_json = _dumps(
            {
                "name": c.name,
                "team": c.team.slug,
                "owner": c.owner.email,
                "objective": c.objective,
                "description": c.description,
                "audiences": c.audiences,
                "flight_start": c.flight_start.isoformat(),
                "flight_end": c.flight_end.isoformat(),
                **intake,
            }
        )

    def _plan_draft(self, entry: _Entry) -> list[tuple[timedelta, list[str], str]]:
        plan = []
        at = self.skewed(5 * MINUTE, 2 * DAY)
        for codes, section in entry.saves:
            plan.append((at, codes, section))
            at += self.skewed(20 * MINUTE, 10 * DAY)
        return plan

    def _save(self, c: _C, moment: datetime, codes: list[str], section: str) -> None:
        """assessment_save_answers (the event lists the questions whose answers changed)."""
        if codes:
            self.event(moment, c, EventKind.ANSWERS_SAVED, c.owner, {"questions": codes})
        c.answers_at = moment
        c.last_section = section
        c.touch(moment)

    def _draft(self, c: _C, plan, until: datetime | None = None) -> None:
        if plan and self.rng.random() < 0.12:
            moment = c.created_at + plan[0][0] / 2
            if until is None or moment < until:
                field_name = self.rng.choice(["description", "audiences", "flight_end"])
                self.event(moment, c, EventKind.EDITED, c.owner, {"fields": [field_name]})
                c.touch(moment)
        for offset, codes, section in plan:
            moment = c.created_at + offset
            if until is not None and moment >= until:
                break
            self._save(c, moment, codes, section)

    # --- planning reviews
    def _votes_for(self, outcome: str, count: int) -> list[str]:
        """Votes whose outcome under the voting rule is ``outcome``."""
        first, others = {
            S.APPROVED: (V.APPROVE, [V.APPROVE]),
            S.APPROVED_WITH_CONDITIONS: (
                V.APPROVE_WITH_CONDITIONS,
                [V.APPROVE, V.APPROVE, V.APPROVE_WITH_CONDITIONS],
            ),
            S.CHANGES_REQUESTED: (
                V.REQUEST_CHANGES,
                [V.APPROVE, V.APPROVE_WITH_CONDITIONS, V.REQUEST_CHANGES],
            ),
            S.REJECTED: (
                V.REJECT,
                [V.APPROVE_WITH_CONDITIONS, V.REQUEST_CHANGES, V.REJECT, V.REJECT],
            ),
        }[outcome]
        votes = [first] + [self.rng.choice(others) for _ in range(count - 1)]
        self.rng.shuffle(votes)
        return votes

    def _plan_review(
        self,
        tier: str,
        carried: list[_Person],
        outcome: str | None,
        owner: _Person,
        short_by: int = 0,
    ) -> _ReviewPlan:
        """Who reviews and when (``routing rule of the tier``); the voters carried over from
        the last version first, then the chair completes the panel (with a specialist where
        the tier needs one). ``short_by`` leaves the panel that many reviewers short."""
        rng = self.rng
        rule = self.rules[tier]
        board = [r for r in self.people.reviewers if r.id != owner.id]
        plans = [
            _AssignmentPlan(r, "carried", EPSILON * (i + 1), accept_at=EPSILON * (i + 1))
            for i, r in enumerate(carried)
        ]
        required = min(rule.reviewers_required, len(board))
        need = max(0, required - len(carried))
        chosen: list[_Person] = []
        if rule.specialist_required and not any(r.specialist for r in carried):
            specialists = [r for r in board if r.specialist and r not in carried]
            if specialists:
                chosen.append(rng.choice(specialists))
                need = max(need, 1)
        rest = [r for r in board if r not in carried and r not in chosen]
        chosen += rng.sample(rest, max(0, min(len(rest), need - len(chosen))))
        if short_by:
            chosen = chosen[: max(0, len(chosen) - short_by)]
        chair = rng.choice(self.people.chairs or board)
        assign_at = self.skewed(30 * MINUTE, 2 * DAY) + EPSILON * (len(carried) + 1)
        staffed_at = assign_at if chosen else EPSILON * (len(carried) + 1)
        taken = {r.id for r in carried} | {r.id for r in chosen}
        for index, reviewer in enumerate(chosen):
            plan = _AssignmentPlan(reviewer, "chair", assign_at + EPSILON * index, chair)
            plans.append(plan)
            if rng.random() < 0.04:  # recuses; the system assigns a replacement at once
                free = [r for r in board if r.id not in taken]
                alike = [r for r in free if r.specialist == reviewer.specialist]
                if alike or free:
                    replacement = rng.choice(alike or free)
                    taken.add(replacement.id)
                    plan.recuse_at = plan.created + self.skewed(HOUR, 2 * DAY)
                    plans.append(
                        _AssignmentPlan(
                            replacement,
                            "replacement",
                            plan.recuse_at + EPSILON,
                            replaces=reviewer.id,
                        )
                    )
        voters = [p for p in plans if p.recuse_at is None]
        for plan in voters:
            if plan.accept_at is None:
                plan.accept_at = plan.created + self.skewed(30 * MINUTE, 3 * DAY)
            plan.vote_at = plan.accept_at + self.skewed(2 * HOUR, 12 * DAY)
        if outcome is not None and voters:
            for plan, vote in zip(voters, self._votes_for(outcome, len(voters)), strict=True):
                plan.vote = vote
        decide_at = max((p.vote_at for p in voters), default=staffed_at) + EPSILON
        confirm_at = decide_at + self.skewed(2 * HOUR, 4 * DAY) if rule.chair_confirms else None
        if short_by:
            staffed_at = None
            for plan in plans:
                plan.vote_at = None
        return _ReviewPlan(rule, plans, staffed_at, decide_at, confirm_at)

    def _plan(self, c: _C, entries: list[_Entry], outcomes: list[str | None]) -> _Plan:
        draft = self._plan_draft(entries[0])
        first_span = (draft[-1][0] if draft else timedelta(0)) + self.skewed(5 * MINUTE, 3 * DAY)
        reviews, reworks, carried = [], [], []
        for index, (entry, outcome) in enumerate(zip(entries, outcomes, strict=True)):
            if index:
                reworks.append((self.skewed(DAY, 25 * DAY), self.skewed(5 * MINUTE, 2 * HOUR)))
            review = self._plan_review(entry.tier, carried, outcome, c.owner)
            reviews.append(review)
            carried = review.voters
        return _Plan(entries, draft, first_span, reviews, reworks)

    def _versions(self, two: bool, story: str, outcome: str) -> tuple[list, list]:
        """Answer sets and outcomes: one version, or changes requested and a revision."""
        first = self.pool.for_tier(self.tier_for(story))
        if not two:
            return [first], [outcome]
        return [first, self.pool.revision_of(first)], [S.CHANGES_REQUESTED, outcome]

    # --- carrying out
    def _run(
        self,
        c: _C,
        plan: _Plan,
        cutoff: datetime | None = None,
        keep_open: bool = False,
        left_pending: str = AssignmentStatus.PENDING,
    ) -> tuple[_Version, datetime | None]:
        """Draft, submit and review every planned version; the last review only up to
        ``cutoff``. Returns the last version and its decision time (None: undecided)."""
        self._draft(c, plan.draft)
        moment = c.created_at + plan.first_span
        decided = None
        count = len(plan.entries)
        for index, (entry, review) in enumerate(zip(plan.entries, plan.reviews, strict=True)):
            if index:
                rework, resubmit = plan.reworks[index - 1]
                saved = decided + rework
                previous = plan.entries[index - 1]
                self._save(c, saved, self.pool.changed_codes(previous, entry), c.last_section)
                moment = saved + resubmit
            version = self._submit(c, moment, entry)
            last = index == count - 1
            decided = self._review(
                c,
                version,
                review,
                cutoff=cutoff if last else None,
                keep_open=keep_open and last,
                left_pending=left_pending,
            )
            if decided is None and not last:  # cannot happen with a full panel
                decided = version.created_at + review.end
        return version, decided

    def _submit(self, c: _C, moment: datetime, entry: _Entry) -> _Version:
        """campaign_submit: freeze intake, answers and score as the next version."""
        number = len(c.versions) + 1
        # services.submission.version_content, in canonical JSON (sorted keys, compact), assembled
        # from the parts' canonical texts; fingerprint_of is the SHA-256 of exactly this text.
        content = (
            f'{{"answers":{entry.answers_json},"intake":{c.export_json},'
            f'"questionnaire":{self.content_prefix},'
            f'"questionnaire_version":{self.questionnaire.version},'
            f'"score":{entry.score_json}}}'
        )
        if not self.content_checked:
            if fingerprint_of(json.loads(content)) != _sha256(content):
                raise RuntimeError("bulk_seed builds version content out of canonical form")
            self.content_checked = True
        fingerprint = _sha256(content)
        version = _Version(
            self.sink.new_id(CampaignVersion), number, entry, fingerprint, entry.tier, moment
        )
        self.sink.add(
            CampaignVersion,
            (
                version.id,
                c.id,
                number,
                self.questionnaire.pk,
                content,
                fingerprint,
                entry.tier,
                c.owner.id,
                moment,
            ),
        )
        rule = self.rules[entry.tier]
        c.versions.append(version)
        c.entry = entry
        c.tier = entry.tier
        c.submitted_at = moment
        c.first_submitted_at = c.first_submitted_at or moment
        c.review_due_at = workflow.add_working_days(moment, rule.due_working_days)
        c.status = S.SUBMITTED
        c.touch(moment)
        self.event(
            moment,
            c,
            EventKind.SUBMITTED,
            c.owner,
            {"version": number, "fingerprint": fingerprint, "tier": entry.tier},
        )
        return version

    def _review(
        self,
        c: _C,
        version: _Version,
        plan: _ReviewPlan,
        cutoff: datetime | None = None,
        keep_open: bool = False,
        left_pending: str = AssignmentStatus.PENDING,
    ) -> datetime | None:
        """Carry out ``plan`` up to ``cutoff`` (default: now). ``keep_open`` leaves the last
        vote out when all would be in (the review is still running). Assignments still
        pending at the end get ``left_pending``. Returns the time the outcome was applied
        (the rule's decision, or the chair's confirmation), or None."""
        rng = self.rng
        s = version.created_at
        limit = cutoff or self.now
        voters = [a for a in plan.assignments if a.recuse_at is None]
        all_in = voters and all(a.vote_at is not None and s + a.vote_at < limit for a in voters)
        if keep_open and all_in:
            max(voters, key=lambda a: a.vote_at).vote_at = None
        for a in plan.assignments:
            created = s + a.created
            if created >= limit:
                continue
            assignment_id = self.sink.new_id(Assignment)
            status, responded, coi, recusal = left_pending, None, "", ""
            payload = {"version": version.number, "reviewer": a.reviewer.id}
            if a.kind == "carried":
                payload["carried_over"] = True
            elif a.kind == "replacement":
                payload["replaces"] = a.replaces
            self.event(created, c, EventKind.ASSIGNED, a.assigned_by, payload)
            if a.kind == "carried":
                status, responded = AssignmentStatus.ACCEPTED, created
                coi = f"Carried over from version {version.number - 1}."
            elif a.recuse_at is not None and s + a.recuse_at < limit:
                status, responded = AssignmentStatus.RECUSED, s + a.recuse_at
                recusal = rng.choice(RECUSAL_REASONS)
                self.event(
                    responded,
                    c,
                    EventKind.RECUSED,
                    a.reviewer,
                    {"version": version.number, "assignment": assignment_id},
                )
            elif a.accept_at is not None and s + a.accept_at < limit:
                status, responded = AssignmentStatus.ACCEPTED, s + a.accept_at
                coi = rng.choice(COI_DECLARATIONS)
                self.event(
                    responded,
                    c,
                    EventKind.ACCEPTED,
                    a.reviewer,
                    {"version": version.number, "assignment": assignment_id},
                )
            self.sink.add(
                Assignment,
                (
                    assignment_id,
                    c.id,
                    version.id,
                    a.reviewer.id,
                    a.assigned_by.id if a.assigned_by else None,
                    status,
                    coi,
                    recusal,
                    created,
                    responded,
                ),
            )
            voted = a.vote_at is not None and s + a.vote_at < limit
            if status == AssignmentStatus.ACCEPTED and voted:
                self._vote(c, version, a, s + a.vote_at)
        if plan.staffed_at is not None and s + plan.staffed_at < limit:
            c.status = S.IN_REVIEW
            c.touch(s + plan.staffed_at)
        if not voters or len(version.votes) < len(voters):
            return None
        decided = s + plan.decide_at
        outcome = workflow.outcome_of(v.decision for v in version.votes)
        reasons = _dumps(decision_reasons(outcome, version.votes))
        self.sink.add(
            Decision,
            (
                self.sink.new_id(Decision),
                c.id,
                version.id,
                outcome,
                DecisionKind.RULE,
                "",
                None,
                "",
                "",
                version.fingerprint,
                reasons,
                decided,
            ),
        )
        if not plan.rule.chair_confirms:
            self._apply_outcome(c, version, outcome, decided)
            self.event(
                decided + EPSILON,
                c,
                EventKind.DECIDED,
                None,
                {"version": version.number, "outcome": outcome},
            )
            return decided
        c.status = S.AWAITING_CONFIRMATION
        c.touch(decided)
        self.event(
            decided + EPSILON,
            c,
            EventKind.DECIDED,
            None,
            {"version": version.number, "proposed": outcome, "awaits_chair": True},
        )
        if plan.confirm_at is None or s + plan.confirm_at >= limit:
            return None
        confirmed = s + plan.confirm_at
        chair = rng.choice(self.people.chairs or [voters[0].reviewer])
        self.sink.add(
            Decision,
            (
                self.sink.new_id(Decision),
                c.id,
                version.id,
                outcome,
                DecisionKind.CONFIRMED,
                "",
                chair.id,
                chair.name,
                CHAIR_MEANINGS[DecisionKind.CONFIRMED],
                version.fingerprint,
                reasons,
                confirmed,
            ),
        )
        self._apply_outcome(c, version, outcome, confirmed)
        self.event(
            confirmed + EPSILON,
            c,
            EventKind.CONFIRMED,
            chair,
            {"version": version.number, "outcome": outcome},
        )
        return confirmed

    def _vote(self, c: _C, version: _Version, a: _AssignmentPlan, signed: datetime) -> None:
        """vote_cast: a signed vote (reasons with a rejection or change request)."""
        rng = self.rng
        decision = a.vote
        conditions: list[str] = []
        reasons: list[str] = []
        if decision == V.APPROVE_WITH_CONDITIONS:
            conditions = rng.sample(CONDITIONS, rng.choice((1, 1, 2)))
        elif decision in (V.REJECT, V.REQUEST_CHANGES):
            first = version.entry.top if rng.random() < 0.65 else rng.choice(self.reasons)
            chosen = {first if first in self.reasons else ReviewReason.OTHER.value}
            if rng.random() < 0.35:
                chosen.add(rng.choice(self.reasons))
            reasons = sorted(chosen)
        vote = _VoteStub(self.sink.new_id(Vote), a.reviewer, decision, reasons, conditions)
        version.votes.append(vote)
        self.sink.add(
            Vote,
            (
                vote.id,
                c.id,
                version.id,
                a.reviewer.id,
                decision,
                rng.choice(RATIONALES[decision]),
                _dumps(conditions),
                _dumps(reasons),
                a.reviewer.name,
                signed,
                VOTE_MEANINGS[decision],
                version.fingerprint,
            ),
        )
        self.event(
            signed,
            c,
            EventKind.VOTED,
            a.reviewer,
            {
                "version": version.number,
                "vote": decision,
                "fingerprint": version.fingerprint,
                "conditions": len(conditions),
            },
        )

    def _apply_outcome(self, c: _C, version: _Version, outcome: str, moment: datetime) -> None:
        """_apply_outcome: decided, the approval's validity starts, the state changes."""
        c.decided_at = moment
        if outcome in workflow.APPROVED_STATES:
            months = self.rules[version.tier].validity_months
            c.approval_expires_at = workflow.add_months(moment, months)
        c.status = outcome
        c.touch(moment)

    # --- after an approval
    def _conditions(self, c: _C, version: _Version, until: datetime) -> None:
        """The conditions of the votes; the team fulfils them, a reviewer verifies."""
        rng = self.rng
        for vote in version.votes:
            for text in vote.conditions:
                condition_id = self.sink.new_id(Condition)
                status, note = ConditionStatus.OPEN, ""
                fulfilled_at = verified_at = fulfilled_by = verified_by = None
                moment = c.decided_at + self.skewed(2 * DAY, 40 * DAY)
                if moment < until and rng.random() < 0.85:
                    status, fulfilled_at, fulfilled_by = ConditionStatus.FULFILLED, moment, c.owner
                    note = "Done: see the campaign's launch checklist."
                    self.event(
                        moment,
                        c,
                        EventKind.CONDITION_FULFILLED,
                        c.owner,
                        {"condition": condition_id},
                    )
                    moment += self.skewed(2 * HOUR, 12 * DAY)
                    if moment < until and rng.random() < 0.85:
                        verified_by = rng.choice([v.reviewer for v in version.votes])
                        status, verified_at = ConditionStatus.VERIFIED, moment
                        self.event(
                            moment,
                            c,
                            EventKind.CONDITION_VERIFIED,
                            verified_by,
                            {"condition": condition_id},
                        )
                self.sink.add(
                    Condition,
                    (
                        condition_id,
                        c.id,
                        version.id,
                        vote.id,
                        text,
                        status,
                        note,
                        fulfilled_by.id if fulfilled_by else None,
                        fulfilled_at,
                        verified_by.id if verified_by else None,
                        verified_at,
                        False,  # conditions.sync() sets it once every campaign is written
                    ),
                )

    def _notice(self, c: _C, until: datetime) -> None:
        """notice_prepare (the generated draft), the team's contact address, and, usually,
        notice_publish."""
        prepared = c.decided_at + self.skewed(HOUR, 6 * DAY)
        if prepared >= until:
            return
        published = prepared + self.skewed(10 * MINUTE, 3 * DAY)
        if published >= until or self.rng.random() < 0.1:
            published = None
        texts = self.notice_texts.get(id(c.profile))
        if texts is None:  # the texts depend on the intake; name and team are put in below
            stand_in = Campaign(team=Team(name=TEAM_MARK), name=NAME_MARK, **c.profile.intake)
            texts = (*_notice_text(stand_in, "en"), *_notice_text(stand_in, "ar"))
            self.notice_texts[id(c.profile)] = texts
        title_en, body_en, title_ar, body_ar = (
            t.replace(NAME_MARK, c.name).replace(TEAM_MARK, c.team.name) for t in texts
        )
        self.sink.add(
            TransparencyNotice,
            (
                self.sink.new_id(TransparencyNotice),
                c.id,
                new_public_id(),  # a secret, unguessable link (not from the seeded generator)
                title_en,
                title_ar,
                body_en,
                body_ar,
                f"ai-questions@{c.team.slug}.example.com",  # the team's, as notice_update asks
                published,
                published or prepared,
            ),
        )
        c.notice_at = published

    def _feedback(
        self, c: _C, since: datetime, until: datetime, count: int, serious_at: datetime | None
    ) -> datetime | None:
        """``count`` pieces of feedback between ``since`` and ``until`` (and a serious one at
        ``serious_at``), triaged after a while; returns when the campaign was flagged for
        re-review (serious feedback, or too many concerns within 30 days)."""
        rng = self.rng
        moments = []
        if until > since:
            moments = [(since + (until - since) * rng.random(), None) for _ in range(count)]
        if serious_at is not None:
            moments.append((serious_at, FeedbackSeverity.SERIOUS))
        moments.sort(key=lambda item: item[0])
        colleagues = (
            self.people.marketers[c.team.pk]
            + self.people.managers[c.team.pk]
            + self.people.reviewers
        )
        flagged = None
        concerns: list[datetime] = []
        for moment, forced in moments:
            consumer = (
                forced is None
                and c.notice_at is not None
                and moment > c.notice_at
                and rng.random() < 0.5
            )
            category = rng.choices(FEEDBACK_CATEGORIES, (4, 2, 3, 2, 2, 1))[0]
            if consumer:  # through the public notice: always a concern, no account
                source, severity, author = FeedbackSource.CONSUMER, FeedbackSeverity.CONCERN, None
            else:
                source, author = FeedbackSource.INTERNAL, rng.choice(colleagues)
                severity = forced or rng.choices(FEEDBACK_SEVERITIES, (50, 40, 10))[0]
            feedback_id = self.sink.new_id(Feedback)
            status, note, triaged_by, triaged_at = TriageStatus.NEW, "", None, None
            answered = moment + self.skewed(HOUR, 10 * DAY)
            if answered < self.now and rng.random() < 0.85:
                status = rng.choices(TRIAGE_OUTCOMES, (45, 35, 20))[0]
                note, triaged_by, triaged_at = (
                    TRIAGE_NOTES[status],
                    rng.choice(self.people.reviewers),
                    answered,
                )
            self.sink.add(
                Feedback,
                (
                    feedback_id,
                    c.id,
                    source,
                    category,
                    severity,
                    rng.choice(FEEDBACK_TEXTS[category]),
                    author.id if author else None,
                    "",
                    False,
                    ip_hash(f"203.0.113.{feedback_id % 250}") if consumer else "",
                    "",
                    "",
                    "",
                    status,
                    note,
                    triaged_by.id if triaged_by else None,
                    triaged_at,
                    moment,
                ),
            )
            self.event(
                moment,
                c,
                EventKind.FEEDBACK_RECEIVED,
                author,
                {
                    "feedback": feedback_id,
                    "source": source,
                    "category": category,
                    "severity": severity,
                },
            )
            if triaged_by is not None:
                self.event(
                    triaged_at,
                    c,
                    EventKind.FEEDBACK_TRIAGED,
                    triaged_by,
                    {"feedback": feedback_id, "status": status},
                )
            if severity != FeedbackSeverity.INFO:
                concerns.append(moment)
            recent = sum(1 for m in concerns if m >= moment - 30 * DAY)
            if flagged is None and (
                severity == FeedbackSeverity.SERIOUS or recent > settings.FEEDBACK_REREVIEW_CONCERNS
            ):
                flagged = moment
        return flagged

    def _after_approval(self, c: _C, version: _Version, send_back: timedelta | None) -> None:
        """Conditions, notice, feedback and expiry after the approval at ``c.decided_at``;
        with ``send_back``, serious feedback that long after it and the chair sending the
        campaign back to review a few days later."""
        rng = self.rng
        expires = c.approval_expires_at
        serious_at = sent_back = None
        if send_back is not None:
            serious_at = c.decided_at + send_back
            sent_back = serious_at + self.between(DAY, 14 * DAY)
        ends = min(expires, sent_back or self.now, self.now)
        if c.status == S.APPROVED_WITH_CONDITIONS:
            self._conditions(c, version, ends)
        if rng.random() < 0.15:
            self._notice(c, min(expires, sent_back or self.now, self.now))
        count = rng.choice((1, 1, 1, 2, 2, 3, 5)) if rng.random() < 0.15 else 0
        flagged = None
        if count or serious_at:
            until = serious_at or min(self.now, expires + 60 * DAY)
            flagged = self._feedback(c, c.decided_at + HOUR, until, count, serious_at)
        if expires <= (sent_back or self.now):  # approvals_expire, which runs periodically
            ran = expires + self.between(timedelta(0), 50 * MINUTE)
            if ran >= (sent_back or self.now):
                ran = expires + ((sent_back or self.now) - expires) / 2
            c.status = S.EXPIRED
            c.touch(ran)
            self.event(ran, c, EventKind.EXPIRED, None, {"expired_at": expires.isoformat()})
        if sent_back is None:
            c.rereview_flagged_at = flagged
            return
        # campaign_send_back: the flag is cleared and the team revises.
        self.event(
            sent_back,
            c,
            EventKind.REREVIEW_REQUESTED,
            rng.choice(self.people.chairs or [version.votes[0].reviewer]),
            {"from": c.status},
        )
        c.status = S.REREVIEW_REQUESTED
        c.touch(sent_back)

    # --- stories: each plans (and yields once placed in time), then runs
    def _story_approved(self, c: _C, outcome: str = S.APPROVED, story: str = "approved"):
        plan = self._plan(c, *self._versions(self.rng.random() < 0.15, story, outcome))
        self._place(c, plan.entries[0], span=plan.lead + plan.reviews[-1].end)
        yield
        version, _decided = self._run(c, plan)
        self._after_approval(c, version, None)

    def _story_conditions(self, c: _C):
        yield from self._story_approved(c, S.APPROVED_WITH_CONDITIONS, "conditions")

    def _story_rejected(self, c: _C):
        plan = self._plan(c, *self._versions(self.rng.random() < 0.15, "rejected", S.REJECTED))
        self._place(c, plan.entries[0], span=plan.lead + plan.reviews[-1].end)
        yield
        self._run(c, plan)

    def _story_rereview(self, c: _C):
        outcome = self.rng.choice([S.APPROVED, S.APPROVED, S.APPROVED_WITH_CONDITIONS])
        plan = self._plan(c, *self._versions(False, "rereview", outcome))
        after = self.skewed(5 * DAY, 200 * DAY)
        span = plan.lead + plan.reviews[-1].end + after + 15 * DAY
        self._place(c, plan.entries[0], span=span)
        yield
        version, _decided = self._run(c, plan)
        self._after_approval(c, version, after)

    def _story_changes_requested(self, c: _C):
        rng = self.rng
        entries, outcomes = self._versions(rng.random() < 0.12, "changes_requested", "")
        plan = self._plan(c, entries, [S.CHANGES_REQUESTED] * len(entries))
        decided = self.now - self.skewed(2 * HOUR, 300 * DAY)
        self._place(c, entries[0], created=decided - plan.lead - plan.reviews[-1].end)
        yield
        version, decided = self._run(c, plan)
        if rng.random() < 0.4:  # the team has started revising
            moment = decided + self.skewed(HOUR, 20 * DAY)
            revised = self.pool.revision_of(version.entry)
            if moment < self.now and revised is not version.entry:
                codes = self.pool.changed_codes(version.entry, revised)
                self._save(c, moment, codes, c.last_section)
                c.entry = revised

    def _story_in_review(self, c: _C):
        rng = self.rng
        outcome = rng.choice([S.APPROVED, S.APPROVED_WITH_CONDITIONS, S.CHANGES_REQUESTED])
        plan = self._plan(c, *self._versions(rng.random() < 0.1, "in_review", outcome))
        review = plan.reviews[-1]
        submitted = self.now - review.staffed_at - self.between(HOUR, 45 * DAY)
        self._place(c, plan.entries[0], created=submitted - plan.lead)
        yield
        self._run(c, plan, cutoff=self.now, keep_open=True)

    def _story_awaiting(self, c: _C):
        """Every vote is in; a tier that needs the chair's confirmation waits for it."""
        if not self.confirm_tiers:
            yield from self._story_in_review(c)
            return
        rng = self.rng
        entry = self.pool.for_tier(rng.choice(self.confirm_tiers))
        outcome = rng.choice([S.APPROVED, S.APPROVED_WITH_CONDITIONS, S.REJECTED])
        plan = self._plan(c, [entry], [outcome])
        review = plan.reviews[-1]
        review.confirm_at = None
        submitted = self.now - review.decide_at - self.between(HOUR, 12 * DAY)
        self._place(c, entry, created=submitted - plan.lead)
        yield
        self._run(c, plan, cutoff=self.now)

    def _story_submitted(self, c: _C):
        """Waiting for the chair to staff the review: nobody assigned yet, or the panel is
        still short."""
        rng = self.rng
        entry = self.pool.for_tier(self.tier_for("submitted"))
        plan = self._plan(c, [entry], [None])
        rule = self.rules[entry.tier]
        short = rule.reviewers_required if rng.random() < 0.6 else 1
        plan.reviews[0] = self._plan_review(entry.tier, [], None, c.owner, short_by=short)
        submitted = self.now - self.skewed(10 * MINUTE, 12 * DAY)
        self._place(c, entry, created=submitted - plan.lead)
        yield
        self._run(c, plan, cutoff=self.now)

    def _story_draft(self, c: _C):
        rng = self.rng
        kind = rng.random()
        if kind < 0.3 and self.pool.prohibited:
            entry = rng.choice(self.pool.prohibited)  # cannot be submitted as designed
        elif kind < 0.6 and self.pool.started:
            entry = rng.choice(self.pool.started)  # not finished
        else:
            entry = self.pool.for_tier(self.tier_for("draft"))
        if rng.random() < 0.25:  # being written
            age = self.skewed(HOUR, 45 * DAY)
        else:  # abandoned
            age = self.between(45 * DAY, 30 * HISTORY_MONTHS * DAY)
        self._place(c, entry, created=self.now - age)
        yield
        self._draft(c, self._plan_draft(entry), until=self.now)

    def _story_withdrawn(self, c: _C):
        """Withdrawn by the team: while drafting, during the review, or after changes were
        requested."""
        rng = self.rng
        phase = rng.choices(["draft", "review", "changes"], (40, 35, 25))[0]
        if phase == "draft":
            entry = self.pool.for_tier(self.tier_for("withdrawn"))
            if rng.random() < 0.3 and self.pool.prohibited:
                entry = rng.choice(self.pool.prohibited)
            draft = self._plan_draft(entry)
            span = (draft[-1][0] if draft else timedelta(0)) + self.skewed(HOUR, 60 * DAY)
            self._place(c, entry, span=span)
            yield
            self._draft(c, draft)
        else:
            outcome = S.CHANGES_REQUESTED if phase == "changes" else S.APPROVED
            plan = self._plan(c, *self._versions(False, "withdrawn", outcome))
            review = plan.reviews[-1]
            if phase == "review":
                start = review.staffed_at or timedelta(0)
                span = plan.lead + start + (review.decide_at - start) * rng.uniform(0.1, 0.9)
            else:
                span = plan.lead + review.end + self.skewed(HOUR, 60 * DAY)
            self._place(c, plan.entries[0], span=span)
            yield
            if phase == "review":
                cutoff = c.created_at + span
                self._run(c, plan, cutoff, True, AssignmentStatus.CANCELLED)
            else:
                self._run(c, plan)
        withdrawn = c.created_at + span
        c.status = S.WITHDRAWN
        c.touch(withdrawn)
        self.event(withdrawn, c, EventKind.WITHDRAWN, c.owner, {})

    # --- the campaign's own rows
    def _decode(self, text: str):
        value = self.decoded.get(text)
        if value is None:
            value = self.decoded[text] = json.loads(text)
        return value

    def _facts(self, c: _C) -> dict:
        """``dashboard.facts_of`` the campaign just generated, from the rows written for it:
        what ``dashboard.rebuild()`` would read back (a test holds them equal)."""
        tapped = self.sink.tapped
        version_created = {v.id: v.created_at for v in c.versions}
        decisions = []
        for pk, version_id, kind, outcome, reasons, created_at in map(
            _DECISION_FIELDS, tapped[Decision]
        ):
            decisions.append(
                {
                    "id": pk,
                    "version_id": version_id,
                    "kind": str(kind),
                    "outcome": str(outcome),
                    "reasons": self._decode(reasons),
                    "created_at": created_at,
                    "version_created_at": version_created[version_id],
                }
            )
        assigned: dict[tuple, datetime] = {}  # (version, reviewer) -> first assignment
        assignments = []
        for version_id, reviewer_id, status, created_at in map(
            _ASSIGNMENT_FIELDS, tapped[Assignment]
        ):
            first = assigned.get((version_id, reviewer_id))
            if first is None or created_at < first:
                assigned[(version_id, reviewer_id)] = created_at
            assignments.append(
                {"version_id": version_id, "reviewer_id": reviewer_id, "status": str(status)}
            )
        votes = [
            {
                "version_id": version_id,
                "reviewer_id": reviewer_id,
                "signed_at": signed_at,
                "assigned_at": assigned.get((version_id, reviewer_id)),
            }
            for version_id, reviewer_id, signed_at in map(_VOTE_FIELDS, tapped[Vote])
        ]
        feedback = [
            {"category": str(category), "created_at": created_at}
            for category, created_at in map(_FEEDBACK_FIELDS, tapped[Feedback])
        ]
        for rows in tapped.values():
            rows.clear()
        latest = c.versions[-1] if c.versions else None
        intake = c.profile.intake
        return dashboard.facts_of(
            {
                "id": c.id,
                "team_id": c.team.pk,
                "tier": c.tier,
                "channels": intake["channels"],
                "markets": intake["markets"],
                "status": str(c.status),
                "created_at": c.created_at,
                "first_submitted_at": c.first_submitted_at,
                "review_due_at": c.review_due_at,
            },
            latest_score=self._decode(latest.entry.score_json) if latest else None,
            current_version_id=latest.id if latest else None,
            decisions=decisions,
            feedback=feedback,
            votes=votes,
            assignments=assignments,
        )

    def _write_campaign(self, c: _C) -> None:
        profile = c.profile
        intake = profile.intake
        self.sink.add(
            Campaign,
            (
                c.id,
                c.team.pk,
                c.owner.id,
                c.name,
                c.objective,
                c.description,
                profile.json["channels"],
                profile.json["markets"],
                c.audiences,
                intake["reaches_minors"],
                intake["reaches_vulnerable"],
                profile.json["ai_techniques"],
                profile.json["data_sources"],
                profile.json["data_categories"],
                c.flight_start,
                c.flight_end,
                c.status,
                c.tier,
                c.submitted_at,
                c.first_submitted_at,
                c.review_due_at,
                c.decided_at,
                c.approval_expires_at,
                c.rereview_flagged_at,
                c.created_at,
                c.updated_at,
                search.document(
                    name=c.name,
                    description=c.description,
                    team_name=c.team.name,
                    owner_name=c.owner.name,
                    owner_email=c.owner.email,
                ),
            ),
        )
        self.sink.add(
            Assessment,
            (
                self.sink.new_id(Assessment),
                c.id,
                self.questionnaire.pk,
                c.entry.answers_json,
                c.last_section,
                c.created_at,
                c.answers_at,
            ),
        )


NAME_MARK = "\x00name\x00"
TEAM_MARK = "\x00team\x00"
FEEDBACK_CATEGORIES = [
    FeedbackCategory.PRIVACY,
    FeedbackCategory.BIAS,
    FeedbackCategory.TRANSPARENCY,
    FeedbackCategory.ACCURACY,
    FeedbackCategory.MANIPULATION,
    FeedbackCategory.OTHER,
]
FEEDBACK_SEVERITIES = [FeedbackSeverity.INFO, FeedbackSeverity.CONCERN, FeedbackSeverity.SERIOUS]
TRIAGE_OUTCOMES = [TriageStatus.ACKNOWLEDGED, TriageStatus.ACTION_TAKEN, TriageStatus.DISMISSED]


@contextmanager
def _collector_paused():
    """Millions of objects live until the load ends and none of them form cycles: the
    cyclic garbage collector's full passes over them would cost a tenth of the time."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _json_id(value: int | None) -> str:
    return "null" if value is None else str(int(value))


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _deck(count: int, rng: random.Random) -> list[str]:
    """The story of each campaign: shares per STORIES (largest remainders), every story at
    least once when there are enough campaigns, in random order."""
    total = sum(STORIES.values())
    quotas = {story: count * weight / total for story, weight in STORIES.items()}
    counts = {story: int(quota) for story, quota in quotas.items()}
    by_remainder = sorted(quotas, key=lambda s: quotas[s] - counts[s], reverse=True)
    for story in by_remainder[: count - sum(counts.values())]:
        counts[story] += 1
    if count >= len(STORIES):
        for story in STORIES:
            if counts[story] == 0:
                counts[max(counts, key=counts.get)] -= 1
                counts[story] = 1
    deck = [story for story, n in counts.items() for _ in range(n)]
    rng.shuffle(deck)
    return deck


# --- the entry point ------------------------------------------------------------------------


@dataclass
class Summary:
    campaigns: int
    statuses: Counter
    tiers: Counter
    rows: dict[str, int]
    accounts_created: int
    pool: int
    seconds: dict[str, float]


def seed(
    count: int,
    *,
    seed: int = 1,
    log: Callable[[str], None] | None = None,
    now: datetime | None = None,
    rebuild: bool = True,
) -> Summary:
    """Add ``count`` campaigns with their whole history (see the module's docstring), then
    rebuild the dashboard counts (unless ``rebuild`` is false: then run
    ``dashboard.rebuild()`` before the dashboard is used). One transaction."""
    if count < 0:
        raise ValueError("count must not be negative")
    log = log or (lambda message: None)
    began = time.monotonic()
    seconds: dict[str, float] = {}

    def lap(name: str, since: float) -> float:
        seconds[name] = round(time.monotonic() - since, 2)
        return time.monotonic()

    questionnaire = selectors.current_questionnaire()
    if questionnaire is None:
        call_command("load_questionnaires", stdout=io.StringIO())
        questionnaire = selectors.current_questionnaire()
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    now = now or timezone.now()
    mark = time.monotonic()
    pool = _Pool(questionnaire, rng)
    mark = lap("pool", mark)
    log(f"Scored {pool.scored} assessments for the pool ({seconds['pool']:.1f}s).")
    with _collector_paused(), transaction.atomic():
        head = audit._locked_head()  # no other event can be appended until we commit
        people = _ensure_people(now)
        sink = _Sink()
        sink.start()
        try:
            chain = _Chain(sink, head.last_seq, head.last_hash)
            generator = _Generator(
                rng=rng, now=now, sink=sink, people=people, pool=pool, chain=chain
            )
            generator.run(_deck(count, rng), log)
            chain.append_until(None)
            mark = lap("generate", mark)
            log(
                f"Campaigns, their records and audit events generated ({seconds['generate']:.1f}s)."
            )
            counts = dashboard.Counts()

            def add_up() -> None:  # the dashboard's sums, while the server writes
                if rebuild:
                    for facts in generator.facts.values():
                        counts.add(facts)
                    counts.spread()

            sink.finish(meanwhile=add_up)
        finally:
            sink.close(check=False)  # the writer thread must be done before a rollback
        head.last_seq, head.last_hash = chain.seq, chain.prev_hash
        head.save(update_fields=["last_seq", "last_hash"])
        mark = lap("write", mark)
        log(
            f"Everything written: {sum(sink.written.values()):,} rows, "
            f"{sink.written[AuditEvent]:,} of them audit events ({seconds['write']:.1f}s)."
        )
        conditions.sync()  # which fulfilled conditions wait for verification (derived)
        if rebuild:
            dashboard.rebuild(known=generator.facts, counts=counts)
            mark = lap("rebuild", mark)
            log(f"Dashboard counts rebuilt ({seconds['rebuild']:.1f}s).")
    seconds["total"] = round(time.monotonic() - began, 2)
    return Summary(
        campaigns=count,
        statuses=generator.statuses,
        tiers=generator.tiers,
        rows={model._meta.db_table: n for model, n in sink.written.items()},
        accounts_created=people.created,
        pool=pool.scored,
        seconds=seconds,
    )


class _Chain:
    """The audit events, appended to the global hash chain in the order they happened.

    Campaigns are generated in order of creation and nothing happens to a campaign before
    it is created, so once the next campaign's creation time is reached every earlier
    event is known: ``append_until`` chains and writes those (while later ones wait in a
    heap), so the events are written as the campaigns are generated, in time order."""

    def __init__(self, sink: _Sink, seq: int, prev_hash: str):
        self.sink = sink
        self.seq = seq
        self.prev_hash = prev_hash
        self.heap: list[tuple] = []
        self.count = 0  # events pushed
        self.done_before: datetime | None = None
        self.kinds: dict[str, str] = {}  # event kind -> its JSON text
        self.check_next = False

    def push(self, moment: datetime, campaign_id: int, kind: str, actor_id, payload) -> None:
        if self.done_before is not None and moment < self.done_before:
            raise RuntimeError(f"a {kind} event at {moment} came after the chain passed it")
        heapq.heappush(self.heap, (moment, self.count, campaign_id, kind, actor_id, payload))
        self.count += 1

    def append_until(self, limit: datetime | None) -> None:
        """Chain every event before ``limit`` (all of them with None)."""
        heap, sink, kinds = self.heap, self.sink, self.kinds
        while heap and (limit is None or heap[0][0] < limit):
            moment, _n, campaign_id, kind, actor_id, payload = heapq.heappop(heap)
            self.seq += 1
            payload_json = _dumps(payload)
            # audit.canonical() of the event, assembled from its parts: the payload's text
            # is its stored, canonical JSON (payloads hold only ids, codes, flags and
            # numbers, which _clean_payload() and _normalised() leave as they are).
            kind_json = kinds.get(kind)
            if kind_json is None:
                kind_json = kinds[kind] = json.dumps(kind, ensure_ascii=False)
                self.check_next = True  # the first event of each kind is checked
            created = moment.astimezone(UTC).isoformat(timespec="microseconds")
            document = (
                f'{{"actor_id":{_json_id(actor_id)},"campaign_id":{_json_id(campaign_id)},'
                f'"created_at":"{created}","kind":{kind_json},"payload":{payload_json},'
                f'"seq":{self.seq}}}'
            )
            digest = hashlib.sha256((self.prev_hash + document).encode("utf-8")).hexdigest()
            if self.check_next or self.seq % 1000 == 0:
                self.check_next = False
                fields = {
                    "seq": self.seq,
                    "kind": kind,
                    "campaign_id": campaign_id,
                    "actor_id": actor_id,
                    "created_at": moment,
                    "payload": payload,
                }
                if audit.compute_hash(self.prev_hash, fields) != digest:
                    raise RuntimeError("bulk_seed hashes audit events differently from audit")
            sink.add(
                AuditEvent,
                (
                    sink.new_id(AuditEvent),
                    self.seq,
                    kind,
                    campaign_id,
                    actor_id,
                    moment,
                    payload_json,
                    self.prev_hash,
                    digest,
                ),
            )
            self.prev_hash = digest
        if limit is not None:
            self.done_before = limit
