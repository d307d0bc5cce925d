"""What the API reads and writes. Request serializers describe the bodies for the schema
and check their shape; the domain rules stay in the forms and services the pages use."""

from rest_framework import serializers

from .. import intake
from ..models import Campaign, CampaignStatus, FeedbackCategory, FeedbackSeverity
from ..provenance import AiDisclosure, ProvenanceStatus


class ErrorSerializer(serializers.Serializer):
    error = serializers.CharField(help_text="A short code: invalid, not_found, conflict, …")
    detail = serializers.CharField(help_text="What went wrong, for a person to read.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Problems per field or question code.",
    )
    changed = serializers.DictField(
        child=serializers.DictField(child=serializers.CharField()),
        required=False,
        help_text="With 409 when another request changed the campaign meanwhile: what changed, "
        'e.g. {"status": {"was": "draft", "now": "submitted"}}.',
    )


class TeamSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    display_name = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    teams = TeamSerializer(many=True)


class CampaignSerializer(serializers.ModelSerializer):
    team = TeamSerializer(read_only=True)
    owner = serializers.CharField(source="owner.display_name", read_only=True)
    status = serializers.ChoiceField(choices=CampaignStatus.choices, read_only=True)
    channels = serializers.ListField(child=serializers.CharField())
    markets = serializers.ListField(child=serializers.CharField())
    ai_techniques = serializers.ListField(child=serializers.CharField())
    data_sources = serializers.ListField(child=serializers.CharField())
    data_categories = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "team",
            "owner",
            "status",
            "tier",
            "objective",
            "description",
            "channels",
            "markets",
            "audiences",
            "reaches_minors",
            "reaches_vulnerable",
            "ai_techniques",
            "data_sources",
            "data_categories",
            "flight_start",
            "flight_end",
            "created_at",
            "updated_at",
            "first_submitted_at",
            "submitted_at",
            "review_due_at",
            "decided_at",
            "approval_expires_at",
        ]
        read_only_fields = fields


# The columns a page of the list reads for CampaignSerializer, as plain values: 50 model
# instances with their team and owner cost more than the page's queries.
_NESTED = {"team": ("id", "slug", "name"), "owner": ("display_name",)}
LIST_VALUES = (
    *(name for name in CampaignSerializer.Meta.fields if name not in _NESTED),
    *(f"{relation}__{field}" for relation, fields in _NESTED.items() for field in fields),
)


def nested(row: dict) -> dict:
    """A ``LIST_VALUES`` row shaped like the instance CampaignSerializer reads (its team and
    owner as mappings; the serializer reads a mapping's keys as attributes)."""
    for relation, fields in _NESTED.items():
        row[relation] = {field: row.pop(f"{relation}__{field}") for field in fields}
    return row


class EvidenceSerializer(serializers.Serializer):
    """An evidence file and the content credentials (C2PA) read from it at upload."""

    id = serializers.IntegerField()
    kind = serializers.CharField()
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()
    provenance_status = serializers.ChoiceField(
        choices=ProvenanceStatus.choices,
        help_text="Empty: not an image or video; absent, trusted, valid (signer not on the "
        "trust list), invalid (changed after signing) or unreadable.",
    )
    provenance_generator = serializers.CharField(help_text="The producing tool (claim generator).")
    provenance_signer = serializers.CharField()
    provenance_source_type = serializers.CharField(help_text="The IPTC digital source type code.")
    provenance_ai = serializers.ChoiceField(choices=AiDisclosure.choices)


class CampaignDetailSerializer(CampaignSerializer):
    evidence = EvidenceSerializer(source="evidence_files", many=True, read_only=True)
    synthetic_media_findings = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="When the intake declares synthetic media: uploaded images without valid "
        "content credentials or without an AI disclosure.",
    )

    class Meta(CampaignSerializer.Meta):
        fields = [*CampaignSerializer.Meta.fields, "evidence", "synthetic_media_findings"]
        read_only_fields = fields


def _choices(vocabulary):
    """A non-empty list from an intake vocabulary (the intake form requires one or more)."""
    return serializers.ListField(child=serializers.ChoiceField(choices=vocabulary), min_length=1)


class CampaignCreateSerializer(serializers.Serializer):
    """A new draft. Anything else in the body (status, tier, owner, scores…) is ignored:
    the team owns the draft and the board decides."""

    team = serializers.SlugField(
        required=False, help_text="Team slug; optional when you belong to one team."
    )
    name = serializers.CharField(max_length=200)
    objective = serializers.CharField(max_length=300)
    description = serializers.CharField(max_length=5000)
    channels = _choices(intake.CHANNELS)
    markets = _choices(intake.MARKETS)
    audiences = serializers.CharField(max_length=2000)
    reaches_minors = serializers.BooleanField(default=False)
    reaches_vulnerable = serializers.BooleanField(default=False)
    ai_techniques = _choices(intake.AI_TECHNIQUES)
    data_sources = _choices(intake.DATA_SOURCES)
    data_categories = _choices(intake.DATA_CATEGORIES)
    flight_start = serializers.DateField()
    flight_end = serializers.DateField()


class ResultSerializer(serializers.Serializer):
    tier = serializers.CharField()
    score_tier = serializers.CharField()
    overall_pct = serializers.FloatField()
    complete = serializers.BooleanField()
    missing = serializers.ListField(child=serializers.CharField())
    dimensions = serializers.DictField(child=serializers.DictField())
    red_flags = serializers.ListField(child=serializers.DictField())


class AnswersSerializer(serializers.Serializer):
    questionnaire = serializers.CharField()
    questionnaire_version = serializers.IntegerField()
    answers = serializers.DictField(help_text="Answers by question code.")
    visible = serializers.ListField(
        child=serializers.CharField(), help_text="Question codes that apply to this campaign."
    )
    result = ResultSerializer()


class AnswersUpdateSerializer(serializers.Serializer):
    answers = serializers.DictField(
        help_text=(
            "Answers by question code, validated like the wizard's; null or an empty value "
            "clears a question. All or nothing: one invalid answer saves none."
        )
    )


class ConditionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    status = serializers.CharField()


class ClearanceSerializer(serializers.Serializer):
    cleared = serializers.BooleanField(
        help_text=(
            "True only when approved, every condition verified, not expired and not "
            "suspended by a severe incident."
        )
    )
    status = serializers.ChoiceField(choices=CampaignStatus.choices)
    tier = serializers.CharField(allow_null=True)
    approved_version = serializers.IntegerField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True)
    open_conditions = ConditionSerializer(many=True)
    suspended_by_incident = serializers.IntegerField(
        allow_null=True, help_text="The open severe incident that suspends the clearance."
    )
    reason = serializers.CharField(
        allow_blank=True, help_text="Why the clearance is suspended (empty when it is not)."
    )


class EventSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    kind = serializers.CharField()
    label = serializers.CharField()
    at = serializers.DateTimeField()
    actor = serializers.CharField(allow_blank=True, help_text="Empty for the system.")
    payload = serializers.DictField()
    hash = serializers.CharField()


class FeedbackSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    source = serializers.CharField(read_only=True)
    category = serializers.ChoiceField(choices=FeedbackCategory.choices)
    severity = serializers.ChoiceField(choices=FeedbackSeverity.choices)
    text = serializers.CharField(max_length=4000)
    status = serializers.CharField(read_only=True)
    author = serializers.CharField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)


class QuestionnaireSerializer(serializers.Serializer):
    slug = serializers.CharField()
    version = serializers.IntegerField()
    title = serializers.CharField()
    checksum = serializers.CharField()
    definition = serializers.DictField()


class GuidelineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    version_id = serializers.IntegerField(
        help_text="The current version's id: what a submission acknowledges."
    )
    topic = serializers.CharField()
    version = serializers.IntegerField(help_text="The current version's number.")
    language = serializers.ChoiceField(
        choices=["en", "ar"],
        help_text="The language of title and body: the caller's, or the other when the "
        "guideline is not written in the caller's.",
    )
    title = serializers.CharField()
    body_markdown = serializers.CharField()
    body_html = serializers.CharField(help_text="The body rendered and sanitised.")
    questions = serializers.ListField(child=serializers.CharField())
    dimensions = serializers.ListField(child=serializers.CharField())
    url = serializers.CharField(help_text="The guideline's page in the web app.")
    published_at = serializers.DateTimeField()


class QuestionGuidelinesSerializer(serializers.Serializer):
    question = serializers.CharField()
    dimension = serializers.CharField(allow_null=True)
    results = GuidelineSerializer(many=True)


class SubmitSerializer(serializers.Serializer):
    acknowledge_guidelines = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        max_length=200,
        help_text="Ids of the current guideline versions the caller has read and acknowledges "
        "(``version_id`` in a question's guidelines). A submission is refused, naming them, "
        "while a guideline governing the campaign has a version the caller never acknowledged.",
    )
