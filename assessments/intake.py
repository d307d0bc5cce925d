"""The intake vocabulary: values stored on a campaign and tested by questionnaire conditions.

The values match ``questionnaire.definition.INTAKE_FIELDS`` (a test keeps them in step).
"""

from django.utils.translation import gettext_lazy as _

CHANNELS = [
    ("social", _("Social media")),
    ("search", _("Search and answer engines")),
    ("email", _("E-mail")),
    ("display", _("Display advertising")),
    ("influencer", _("Influencers")),
    ("chat", _("Chat and messaging")),
    ("instore_other", _("In-store or other")),
]
MARKETS = [
    ("eu", _("EU / EEA")),
    ("uk", _("United Kingdom")),
    ("us_ca", _("California")),
    ("us_other", _("Other US states")),
    ("gulf", _("Gulf states")),
    ("other", _("Other markets")),
]
AI_TECHNIQUES = [
    ("segmentation", _("Audience segmentation or lookalikes")),
    ("predictive_scoring", _("Predictive scoring (e.g. lead scoring)")),
    ("personalisation", _("Personalisation or recommendation")),
    ("generated_text", _("Generated text")),
    ("generated_media", _("Generated images or video")),
    ("synthetic_likeness", _("Synthetic voice or likeness")),
    ("agents", _("Chatbots or agents acting for the company")),
    ("dynamic_pricing", _("Dynamic pricing or offers")),
]
DATA_SOURCES = [
    ("first_party", _("First-party (collected by us)")),
    ("third_party", _("Third-party (shared by partners)")),
    ("purchased", _("Purchased from data brokers")),
    ("scraped", _("Scraped from websites or platforms")),
]
DATA_CATEGORIES = [
    ("contact", _("Contact details")),
    ("behavioural", _("Behaviour (browsing, purchases, app use)")),
    ("location", _("Location")),
    ("demographic", _("Demographics (age, gender)")),
    ("inferred", _("Inferred interests or traits")),
    ("financial", _("Financial situation")),
    ("special_category", _("Special-category data (health, religion, ethnicity, sexuality…)")),
    ("children", _("Children's data")),
]

LIST_FIELDS = {
    "channels": CHANNELS,
    "markets": MARKETS,
    "ai_techniques": AI_TECHNIQUES,
    "data_sources": DATA_SOURCES,
    "data_categories": DATA_CATEGORIES,
}
BOOL_FIELDS = ("reaches_minors", "reaches_vulnerable")


def labels(field: str, values: list[str]) -> list[str]:
    names = dict(LIST_FIELDS[field])
    return [str(names.get(v, v)) for v in values]
