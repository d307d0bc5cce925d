"""The demo's AI tool register: an approved, a limited and a banned tool, picked by the demo
campaigns (the banned one by a draft, which therefore cannot be submitted)."""

from assessments import services
from assessments.models import RegisterTool, ToolKind, ToolReview, User

# Invented vendors: the demo must not describe real companies' contracts.
DEMO_TOOLS = [
    {
        "name": "Lumen Copy",
        "kind": ToolKind.GENERATIVE_TEXT,
        "provider": "Lumen Labs (demo vendor)",
        "purpose": "Drafts ad copy and e-mail variants from a brief; people edit and approve.",
        "data_regions": "EU (Frankfurt)",
        "sub_processors": "Cloud hosting in the EU only",
        "trains_on_our_data": False,
        "dpa_signed": True,
        "opt_outs": "No training on prompts or outputs; 30-day log deletion.",
        "c2pa_credentials": False,
        "limitations": "Model card v3: English and Arabic quality tested; may invent facts.",
        "review": (ToolReview.APPROVED, ""),
    },
    {
        "name": "Northstar Lookalikes",
        "kind": ToolKind.SCORING,
        "provider": "Northstar Data (demo vendor)",
        "purpose": "Builds lookalike audiences and propensity scores from a seed list.",
        "data_regions": "EU, United States",
        "sub_processors": "US analytics sub-processor under standard contractual clauses",
        "trains_on_our_data": False,
        "dpa_signed": True,
        "opt_outs": "Seed lists deleted after 7 days.",
        "c2pa_credentials": False,
        "limitations": "",
        "review": (
            ToolReview.LIMITED,
            "Adults only; no special-category or financial-distress signals in seed lists.",
        ),
    },
    {
        "name": "FaceSwap Studio",
        "kind": ToolKind.GENERATIVE_VIDEO,
        "provider": "Mirage Media (demo vendor)",
        "purpose": "Puts a presenter's face and voice on generated video.",
        "data_regions": "Unknown",
        "sub_processors": "Not disclosed",
        "trains_on_our_data": True,
        "dpa_signed": False,
        "opt_outs": "",
        "c2pa_credentials": False,
        "limitations": "No consent records for the likenesses in its stock library.",
        "review": (ToolReview.BANNED, ""),
    },
]
# Which demo campaign uses which tools.
DEMO_PICKS = {
    "Spring hydration lookalikes": ["Lumen Copy"],
    "Energy drink answer-engine push": ["Lumen Copy", "Northstar Lookalikes"],
    "Back-to-school autopilot outreach": ["Northstar Lookalikes"],
    "Store-card credit nudges": ["Lumen Copy", "FaceSwap Studio"],
}


def seed_register() -> None:
    """Create the demo tools once, through the services, and record the chair's review."""
    chair = User.objects.get(email="chair@example.com")
    for spec in DEMO_TOOLS:
        if RegisterTool.objects.filter(name=spec["name"]).exists():
            continue
        data = {k: v for k, v in spec.items() if k != "review"}
        tool = services.tool_save(actor=chair, data=data)
        decision, limits = spec["review"]
        services.tool_review(actor=chair, tool=tool, decision=decision, limits=limits)


def pick_demo_tools(owner, campaign) -> None:
    names = DEMO_PICKS.get(campaign.name, [])
    if names:
        tools = RegisterTool.objects.filter(name__in=names)
        services.campaign_set_tools(actor=owner, campaign=campaign, tools=tools)
