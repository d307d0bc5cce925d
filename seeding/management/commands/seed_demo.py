"""Demo data: two teams, one account per role, and draft campaigns with varied
assessments. Safe to run again. ``--campaigns N`` then adds N generated campaigns with a
realistic review history (``seeding.bulk``), for measuring at scale."""

import io
import random
import time
from datetime import date, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from assessments import selectors, services
from assessments.models import Campaign, Team, TransparencyNotice, User, UserRole
from assessments.questionnaire import visible_codes
from assessments.roles import Role
from seeding import bulk, demo_guidelines, demo_monitoring, demo_provenance, demo_training
from seeding.calendar import seed_calendar
from seeding.register import pick_demo_tools, seed_register

TEAMS = [
    ("Aurora Beverages", "aurora"),
    ("Northwind Retail", "northwind"),
]

# (e-mail, display name, roles, team slugs, language)
ACCOUNTS = [
    ("marketer@example.com", "Maya Marketer", [Role.MARKETER], ["aurora"], "en"),
    ("marketer2@example.com", "Omar Northwind", [Role.MARKETER], ["northwind"], "ar"),
    ("reviewer@example.com", "Rita Reviewer", [Role.REVIEWER], [], "en"),
    ("chair@example.com", "Chen Chair", [Role.CHAIR, Role.REVIEWER], [], "en"),
    ("manager@example.com", "Mona Manager", [Role.MANAGER], ["aurora", "northwind"], "en"),
    ("admin@example.com", "Adam Admin", [Role.ADMIN], [], "en"),
]


def demo_password(email: str) -> str:
    """Demo passwords are fixed so the README can name them; they pass the validators."""
    local = email.split("@", 1)[0]
    return f"{local.capitalize()}-Demo-2026"


class Command(BaseCommand):
    help = "Create demo teams and one account per role (idempotent). Refused unless DEBUG."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even when DEBUG is off (never on a real installation).",
        )
        parser.add_argument(
            "--campaigns",
            type=int,
            default=0,
            metavar="N",
            help="After the demo data, add N generated campaigns with their review history "
            "(in bulk; each run adds N more).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=1,
            help="Random seed of the generated campaigns (default 1: runs are reproducible).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "seed_demo creates accounts with published passwords; it runs only with "
                "DEBUG=true (or --allow-production)."
            )
        if options["campaigns"] < 0:
            raise CommandError("--campaigns must be 0 or more.")
        # The demo's board members act (assign, vote) before anyone could set up their
        # authenticator app; the requirement applies to them from their first sign-in on.
        with override_settings(REQUIRE_MFA_FOR_BOARD=False):
            self._seed(options)

    def _seed(self, options):
        started = time.monotonic()
        with transaction.atomic():
            teams = {}
            for name, slug in TEAMS:
                teams[slug], _ = Team.objects.get_or_create(slug=slug, defaults={"name": name})
            rows = []
            for email, name, roles, team_slugs, language in ACCOUNTS:
                password = demo_password(email)
                user = User.objects.filter(email=email).first()
                if user is None:
                    user = User.objects.create_user(
                        email=email, password=password, display_name=name, language=language
                    )
                else:
                    # Re-running restores the documented password and an active account.
                    user.set_password(password)
                    user.is_active = True
                    user.save(update_fields=["password", "is_active"])
                for role in roles:
                    UserRole.objects.get_or_create(user=user, role=role)
                if Role.ADMIN in roles:
                    user.is_staff = user.is_superuser = True
                    user.save(update_fields=["is_staff", "is_superuser"])
                user.teams.add(*[teams[slug] for slug in team_slugs])
                EmailAddress.objects.update_or_create(
                    user=user, email=email, defaults={"verified": True, "primary": True}
                )
                rows.append((", ".join(str(Role(r).label) for r in roles), email, password))
        call_command("load_questionnaires", stdout=self._null(), stderr=self.stderr)
        seed_register()
        created = seed_campaigns()
        demo_guidelines.seed_guidelines()
        # After the campaigns: one demo marketer's training has expired.
        demo_training.seed_training()
        demo_provenance.seed_provenance()
        seed_calendar()
        demo_monitoring.seed_monitoring()
        self.stdout.write(self.style.SUCCESS("Demo accounts (sign in with e-mail and password):"))
        width = max(len(r[0]) for r in rows)
        for roles, email, password in rows:
            self.stdout.write(f"  {roles:<{width}}  {email:<24} {password}")
        total = Campaign.objects.filter(name__in=[c["name"] for c in DEMO_CAMPAIGNS]).count()
        self.stdout.write(f"Demo campaigns: {total} ({created} new).")
        if options["campaigns"]:
            self._bulk(options["campaigns"], options["seed"], started)
            return
        for notice in TransparencyNotice.objects.filter(published_at__isnull=False):
            self.stdout.write(f"Public notice of “{notice.campaign}”: /t/{notice.public_id}/")

    def _bulk(self, count: int, seed: int, started: float) -> None:
        self.stdout.write(f"Generating {count:,} campaigns (seed {seed})…")

        def log(message: str) -> None:
            self.stdout.write(f"[{time.monotonic() - started:6.1f}s] {message}")
            self.stdout.flush()

        summary = bulk.seed(count, seed=seed, log=log)
        mix = ", ".join(f"{status} {n:,}" for status, n in summary.statuses.most_common())
        tiers = ", ".join(f"{tier} {n:,}" for tier, n in sorted(summary.tiers.items()))
        self.stdout.write(f"States: {mix}")
        self.stdout.write(f"Tiers: {tiers}")
        rows = ", ".join(
            f"{table.removeprefix('assessments_')} {n:,}" for table, n in summary.rows.items()
        )
        self.stdout.write(f"Rows added: {rows}")
        if summary.accounts_created:
            self.stdout.write(
                f"{summary.accounts_created} more accounts (password {bulk.BULK_PASSWORD})."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{count:,} campaigns added in {time.monotonic() - started:.1f}s "
                f"(dashboard rebuild {summary.seconds['rebuild']:.1f}s)."
            )
        )

    def _null(self):
        return io.StringIO()


# Each demo campaign: intake, and how its assessment is answered ("profile"):
#   careful  - low-risk answers and every safeguard in place
#   typical  - mixed answers, some safeguards
#   risky    - high-risk answers, few safeguards
#   prohibited - typical, plus one red-flag answer
#   started  - only the first two steps answered
DEMO_CAMPAIGNS = [
    {
        "name": "Spring hydration lookalikes",
        "team": "aurora",
        "owner": "marketer@example.com",
        "profile": "careful",
        "flow": "approved",
        "objective": "Reach new customers similar to our loyalty members",
        "channels": ["social", "display"],
        "markets": ["eu", "uk"],
        "ai_techniques": ["segmentation", "generated_text"],
        "data_sources": ["first_party"],
        "data_categories": ["contact", "behavioural"],
    },
    {
        "name": "Energy drink answer-engine push",
        "team": "aurora",
        "owner": "marketer@example.com",
        # careful: the walk below staffs one reviewer, which only tier I asks for; with the
        # "typical" answers, scoring 2 (no dilution) puts this campaign at tier III
        "profile": "careful",
        "flow": "approved_with_conditions",
        "objective": "Appear in AI answer engines for sports drink queries",
        "channels": ["search", "influencer"],
        "markets": ["us_ca", "us_other"],
        "ai_techniques": ["generated_text", "generated_media", "personalisation"],
        "data_sources": ["first_party", "third_party"],
        "data_categories": ["contact", "behavioural", "inferred"],
    },
    {
        "name": "Back-to-school autopilot outreach",
        "team": "aurora",
        "owner": "marketer@example.com",
        "profile": "risky",
        "flow": "submitted",
        "objective": "Let outreach agents contact parents and students on social media",
        "channels": ["social", "chat", "email"],
        "markets": ["eu", "us_ca"],
        "ai_techniques": ["agents", "predictive_scoring", "generated_text"],
        "data_sources": ["purchased", "scraped"],
        "data_categories": ["contact", "demographic", "children"],
        "reaches_minors": True,
    },
    {
        "name": "Ramadan offers with dynamic pricing",
        "team": "northwind",
        "owner": "marketer2@example.com",
        "profile": "prohibited",
        "objective": "Personalised Ramadan offers across the Gulf",
        "channels": ["email", "social", "instore_other"],
        "markets": ["gulf"],
        "ai_techniques": ["dynamic_pricing", "personalisation", "synthetic_likeness"],
        "data_sources": ["first_party", "purchased"],
        "data_categories": ["contact", "financial", "location"],
        "reaches_vulnerable": True,
    },
    {
        "name": "Store-card credit nudges",
        "team": "northwind",
        "owner": "marketer2@example.com",
        "profile": "started",
        "objective": "Raise store-card sign-ups with predictive lead scoring",
        "channels": ["email", "display"],
        "markets": ["uk", "eu"],
        "ai_techniques": ["predictive_scoring", "segmentation"],
        "data_sources": ["first_party", "third_party"],
        "data_categories": ["financial", "behavioural"],
        "reaches_vulnerable": True,
    },
]


def _answer(question, profile: str, rng: random.Random):
    """A plausible answer for the profile (deterministic for a given random generator)."""
    if question.type == "text":
        return "Reviewed with legal and the data science team." if rng.random() < 0.5 else None
    if question.type == "number":
        upper = int(question.max) if question.max is not None else 1_000_000
        return min(upper, {"careful": 5_000, "typical": 80_000}.get(profile, 2_000_000))
    safe = [o for o in question.options if not o.red_flag]
    if question.type == "multiple":
        plain = [o for o in safe if not o.exclusive]
        if question.mitigation:
            ranked = sorted(plain, key=lambda o: -o.weight)
        else:
            ranked = sorted(plain, key=lambda o: o.weight)
        take = {"careful": 1, "typical": 2, "risky": 3}.get(profile, 2)
        if profile in ("risky",) and not question.mitigation:
            ranked = list(reversed(ranked))
        return [o.value for o in ranked[:take]] or [safe[0].value]
    by_weight = sorted(safe, key=lambda o: o.weight)
    if question.mitigation:
        wanted = {"careful": -1, "typical": rng.choice([-1, len(by_weight) // 2, 0]), "risky": 0}
    else:
        wanted = {"careful": 0, "typical": rng.choice([0, len(by_weight) // 2]), "risky": -1}
    return by_weight[wanted.get(profile, len(by_weight) // 2)].value


def _demo_answers(definition, intake: dict, profile: str, seed: int) -> dict:
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    answers: dict = {}
    base = "typical" if profile in ("prohibited", "started") else profile
    # Answer in order, so that answers to earlier questions decide what is shown later.
    for section_index, section in enumerate(definition.sections):
        if profile == "started" and section_index >= 2:
            break
        for question in section.questions:
            value = _answer(question, base, rng)
            if value is not None:
                answers[question.code] = value
    if profile == "prohibited":
        visible = set(visible_codes(definition, intake, answers))
        flagged = [
            (q, o)
            for q in definition.question_list
            if q.code in visible
            for o in q.options
            if o.red_flag
        ]
        if flagged:
            question, option = flagged[0]
            answers[question.code] = [option.value] if question.type == "multiple" else option.value
    return answers


def seed_campaigns() -> int:
    questionnaire = selectors.current_questionnaire()
    if questionnaire is None:
        return 0
    definition = selectors.definition_of(questionnaire)
    created = 0
    today = date.today()
    for index, spec in enumerate(DEMO_CAMPAIGNS):
        team = Team.objects.get(slug=spec["team"])
        if Campaign.objects.filter(team=team, name=spec["name"]).exists():
            continue
        owner = User.objects.get(email=spec["owner"])
        intake = {
            "name": spec["name"],
            "objective": spec["objective"],
            "description": f"{spec['objective']}. AI plans the audience and writes the messages.",
            "audiences": "Adults in the selected markets; see the assessment for exclusions.",
            "channels": spec["channels"],
            "markets": spec["markets"],
            "ai_techniques": spec["ai_techniques"],
            "data_sources": spec["data_sources"],
            "data_categories": spec["data_categories"],
            "reaches_minors": spec.get("reaches_minors", False),
            "reaches_vulnerable": spec.get("reaches_vulnerable", False),
            "flight_start": today + timedelta(days=30 + 7 * index),
            "flight_end": today + timedelta(days=90 + 7 * index),
        }
        with transaction.atomic():
            campaign = services.campaign_create(
                actor=owner, team=team, intake=intake, questionnaire=questionnaire
            )
            pick_demo_tools(owner, campaign)
            answers = _demo_answers(definition, campaign.intake(), spec["profile"], seed=index)
            services.assessment_save_answers(actor=owner, campaign=campaign, answers=answers)
            _walk_review(campaign, owner, spec.get("flow", "draft"))
        created += 1
    return created


def _walk_review(campaign, owner, flow: str) -> None:
    """Take a demo campaign through the real review services up to ``flow``."""
    if flow == "draft":
        return
    services.campaign_submit(actor=owner, campaign=campaign)
    if flow == "submitted":
        return
    chair = User.objects.get(email="chair@example.com")
    reviewer = User.objects.get(email="reviewer@example.com")
    services.review_assign(actor=chair, campaign=campaign, reviewers=[reviewer])
    assignment = campaign.assignments.get(reviewer=reviewer, status="pending")
    services.assignment_accept(
        actor=reviewer, assignment=assignment, declaration="No interest in this team or vendor."
    )
    if flow == "approved":
        services.vote_cast(
            actor=reviewer,
            campaign=campaign,
            decision="approve",
            rationale="First-party data, human review before publication, clear AI labels.",
            password=demo_password(reviewer.email),
        )
        notice = services.notice_prepare(actor=owner, campaign=campaign)
        draft = {name: getattr(notice, name) for name in services.feedback.NOTICE_FIELDS}
        # The team's address for questions and objections (the draft has none).
        contact = f"ai-questions@{campaign.team.slug}.example.com"
        notice = services.notice_update(
            actor=owner, notice=notice, data={**draft, "contact": contact}
        )
        services.notice_publish(actor=owner, notice=notice, publish=True)
    elif flow == "approved_with_conditions":
        services.vote_cast(
            actor=reviewer,
            campaign=campaign,
            decision="approve_with_conditions",
            rationale="Acceptable once influencer posts carry the AI and sponsorship labels.",
            conditions=["Every influencer post is labelled as sponsored and AI-assisted."],
            # A condition that adds to the monitoring plan: a report every 14 days.
            report_every_days=14,
            password=demo_password(reviewer.email),
        )
