"""What the bulk demo history is made of: teams, products, themes, texts, names, the
stories campaigns follow and their weights."""

from __future__ import annotations

from datetime import timedelta

from assessments.models import (
    FeedbackCategory,
    FeedbackSeverity,
    TriageStatus,
)
from assessments.models import VoteDecision as V

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
