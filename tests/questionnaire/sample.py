"""A small definition that exercises every feature of the format."""

import copy


def t(en):
    return {"en": en, "ar": "ع " + en}


def opt(value, weight, red_flag=False, exclusive=False):
    option = {"value": value, "label": t(value), "weight": weight}
    if red_flag:
        option["red_flag"] = {"reason": t(f"{value} is prohibited"), "remedy": t(f"stop {value}")}
    if exclusive:
        option["exclusive"] = True
    return option


SAMPLE = {
    "slug": "sample",
    "title": t("Sample"),
    "dimensions": [
        {"code": "privacy", "title": t("Privacy")},
        {"code": "fairness", "title": t("Fairness")},
    ],
    "sections": [
        {
            "code": "privacy",
            "title": t("Privacy"),
            "questions": [
                {
                    "code": "privacy.basis",
                    "type": "single",
                    "dimension": "privacy",
                    "text": t("Lawful basis?"),
                    "help": t("Art. 6"),
                    "reference": "GDPR Art. 6",
                    "options": [
                        opt("consent", 0),
                        opt("legitimate", 2),
                        opt("none", 5, red_flag=True),
                    ],
                },
                {
                    "code": "privacy.special",
                    "type": "yesno",
                    "dimension": "privacy",
                    "text": t("Special-category data?"),
                    "help": t("Art. 9"),
                    "reference": "GDPR Art. 9",
                    "options": [{"value": "yes", "weight": 4}, {"value": "no", "weight": 0}],
                },
                {
                    "code": "privacy.explicit",
                    "type": "yesno",
                    "dimension": "privacy",
                    "mitigation": True,
                    "condition": {"answer": "privacy.special", "any_of": ["yes"]},
                    "text": t("Explicit consent?"),
                    "help": t("Art. 9(2)(a)"),
                    "reference": "GDPR Art. 9(2)(a)",
                    "options": [{"value": "yes", "weight": 3}, {"value": "no", "weight": 0}],
                },
                {
                    "code": "privacy.dpia",
                    "type": "scale",
                    "dimension": "privacy",
                    "mitigation": True,
                    "text": t("DPIA depth"),
                    "help": t("Art. 35"),
                    "reference": "GDPR Art. 35",
                    "options": [opt(str(i), i - 1 if i < 5 else 3) for i in range(1, 6)],
                },
                {
                    "code": "privacy.gpc",
                    "type": "yesno",
                    "dimension": "privacy",
                    "mitigation": True,
                    "condition": {"intake": "markets", "any_of": ["us_ca"]},
                    "text": t("Honour GPC?"),
                    "help": t("CPRA"),
                    "reference": "CCPA §1798.135",
                    "options": [{"value": "yes", "weight": 2}, {"value": "no", "weight": 0}],
                },
            ],
        },
        {
            "code": "fairness",
            "title": t("Fairness"),
            "questions": [
                {
                    "code": "fairness.proxies",
                    "type": "multiple",
                    "dimension": "fairness",
                    "text": t("Proxies used?"),
                    "help": t("Proxies"),
                    "reference": "OECD AI Principle 1.2",
                    "options": [
                        opt("postcode", 2),
                        opt("interests", 1),
                        opt("none", 0, exclusive=True),
                    ],
                },
                {
                    "code": "fairness.reach",
                    "type": "number",
                    "dimension": "fairness",
                    "text": t("People reached"),
                    "help": t("Scale"),
                    "reference": "Proportionality",
                    "min": 0,
                    "max": 1000000000,
                    "bands": [
                        {"upto": 1000, "weight": 0},
                        {"upto": 100000, "weight": 1},
                        {"weight": 3},
                    ],
                },
                {
                    "code": "fairness.tested",
                    "type": "yesno",
                    "dimension": "fairness",
                    "mitigation": True,
                    "text": t("Bias tested?"),
                    "help": t("Testing"),
                    "reference": "EU AI Act Art. 10",
                    "options": [{"value": "yes", "weight": 3}, {"value": "no", "weight": 0}],
                },
                {
                    "code": "fairness.notes",
                    "type": "text",
                    "text": t("Notes"),
                    "help": t("Anything else"),
                    "reference": "Accountability",
                    "max_length": 100,
                },
            ],
        },
        {
            "code": "children",
            "title": t("Children"),
            "condition": {"intake": "reaches_minors", "equals": True},
            "questions": [
                {
                    "code": "children.profiling",
                    "type": "yesno",
                    "dimension": "fairness",
                    "text": t("Profile children?"),
                    "help": t("DSA"),
                    "reference": "DSA Art. 28(2)",
                    "options": [
                        {
                            "value": "yes",
                            "weight": 5,
                            "red_flag": {"reason": t("no"), "remedy": t("stop")},
                        },
                        {"value": "no", "weight": 0},
                    ],
                }
            ],
        },
    ],
}

INTAKE = {
    "channels": ["social"],
    "markets": ["eu"],
    "ai_techniques": ["segmentation"],
    "data_sources": ["first_party"],
    "data_categories": ["contact"],
    "reaches_minors": False,
    "reaches_vulnerable": False,
}


def sample():
    return copy.deepcopy(SAMPLE)


def sample_v2():
    """The same sample scored with ``scoring: 2`` (which wants bilingual references)."""
    data = sample()
    data["scoring"] = 2
    for section in data["sections"]:
        for question in section["questions"]:
            question["reference"] = t(question["reference"])
    return data
