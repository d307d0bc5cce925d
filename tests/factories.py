import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from assessments import services
from assessments.models import Invitation, Team, User, UserRole

PASSWORD = "Correct-Horse-Battery-42"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    display_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not create:
            return
        for role in extracted or []:
            UserRole.objects.create(user=self, role=role)
        if "admin" in (extracted or []):
            self.is_staff = self.is_superuser = True
        self.save()
        self.__dict__.pop("role_set", None)
        EmailAddress.objects.create(user=self, email=self.email, primary=True, verified=True)

    @factory.post_generation
    def teams(self, create, extracted, **kwargs):
        if create and extracted:
            self.teams.set(extracted)
            self.__dict__.pop("team_ids", None)


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    roles = factory.LazyFunction(lambda: ["marketer"])
    invited_by = factory.SubFactory(UserFactory, roles=["admin"])
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=7))

    @factory.post_generation
    def teams(self, create, extracted, **kwargs):
        if create and extracted:
            self.teams.set(extracted)


NOTICE_CONTACT = "ai-questions@team.example.com"


def published_notice(*, actor, campaign, contact: str = NOTICE_CONTACT):
    """The campaign's generated notice, given a team contact address and published, as
    the team does on the notice page (the draft has no contact; publishing needs one)."""
    notice = services.notice_prepare(actor=actor, campaign=campaign)
    data = {name: getattr(notice, name) for name in services.feedback.NOTICE_FIELDS}
    notice = services.notice_update(actor=actor, notice=notice, data={**data, "contact": contact})
    services.notice_publish(actor=actor, notice=notice, publish=True)
    notice.refresh_from_db()
    return notice


TOOL_DATA = {
    "name": "Lumen Copy",
    "kind": "generative_text",
    "provider": "Lumen Labs",
    "purpose": "Drafts ad copy.",
    "data_regions": "EU",
    "sub_processors": "",
    "trains_on_our_data": False,
    "dpa_signed": True,
    "opt_outs": "No training on our prompts.",
    "c2pa_credentials": False,
    "limitations": "Model card v3.",
}


def make_tool(*, actor, review: str | None = None, limits: str = "", months: int = 12, **fields):
    """A register entry saved through the services (and reviewed by ``actor``, a chair, when
    ``review`` is given)."""
    from assessments import services

    tool = services.tool_save(actor=actor, data={**TOOL_DATA, **fields})
    if review is not None:
        tool = services.tool_review(
            actor=actor, tool=tool, decision=review, limits=limits, months=months
        )
    return tool
