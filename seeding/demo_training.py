"""Demo ethics training for ``seed_demo`` (issue #21): two modules, completions for the demo
people through the real services, one marketer whose training has expired and one reviewer
whose training expires within 30 days. Runs once: nothing is added when the modules exist."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from assessments import services
from assessments.models import TrainingModule, User
from assessments.roles import Role

PRIVACY = {
    "title_en": "AI in marketing: privacy and consent",
    "title_ar": "الذكاء الاصطناعي في التسويق: الخصوصية والموافقة",
    "content_en": (
        "## Why it matters\n\n"
        "AI makes it easy to combine data about people. Before a campaign uses personal data "
        "for **profiling or targeting**, check that:\n\n"
        "1. there is a lawful basis (GDPR Art. 6) and, for special categories, an exception "
        "under Art. 9;\n"
        "2. people were told how their data is used (Art. 13 and 14);\n"
        "3. a data protection impact assessment exists when the processing is likely to "
        "result in a high risk (Art. 35);\n"
        "4. nobody is subject to a decision based solely on automated processing with "
        "significant effects without the safeguards of Art. 22.\n\n"
        "When in doubt, ask the privacy specialist on the ethics board."
    ),
    "content_ar": (
        "## لماذا يهم ذلك\n\n"
        "يسهّل الذكاء الاصطناعي الجمع بين البيانات المتعلقة بالأشخاص. قبل أن تستخدم حملةٌ "
        "بياناتٍ شخصية **للتنميط أو الاستهداف**، تحقّق من أن:\n\n"
        "1. هناك أساس قانوني (المادة 6 من اللائحة العامة لحماية البيانات)، وللفئات الخاصة "
        "استثناء بموجب المادة 9؛\n"
        "2. الأشخاص أُبلغوا بكيفية استخدام بياناتهم (المادتان 13 و14)؛\n"
        "3. يوجد تقييم لأثر حماية البيانات عندما يُرجَّح أن تؤدي المعالجة إلى خطر مرتفع "
        "(المادة 35)؛\n"
        "4. لا يخضع أحد لقرار قائم حصراً على المعالجة الآلية وله آثار جسيمة دون الضمانات "
        "الواردة في المادة 22.\n\n"
        "عند الشك، اسأل المختص بالخصوصية في مجلس الأخلاقيات."
    ),
    "required_roles": [Role.MARKETER, Role.REVIEWER, Role.CHAIR],
    "validity_months": 12,
    "quiz": [],
    "pass_mark": 80,
    "is_active": True,
}

FAIRNESS = {
    "title_en": "Fairness in targeting",
    "title_ar": "العدالة في الاستهداف",
    "content_en": (
        "Lookalike audiences and automated bidding can exclude groups of people without anyone "
        "deciding to. Test who a campaign reaches, avoid proxies for protected traits (postcode, "
        "first name, language) and write down what you checked."
    ),
    "content_ar": (
        "يمكن للجماهير المتشابهة والمزايدة الآلية أن تستبعد فئات من الناس دون أن يقرر أحد ذلك. "
        "اختبر من تصل إليهم الحملة، وتجنّب المؤشرات البديلة للسمات المحمية (الرمز البريدي، "
        "الاسم الأول، اللغة)، ودوِّن ما تحققت منه."
    ),
    "required_roles": [Role.MARKETER, Role.REVIEWER, Role.CHAIR],
    "validity_months": 24,
    "quiz": [
        {
            "question": {
                "en": "Which of these can act as a proxy for a protected trait?",
                "ar": "أيٌّ مما يلي قد يكون مؤشراً بديلاً لسمة محمية؟",
            },
            "options": [
                {"en": "Postcode", "ar": "الرمز البريدي"},
                {"en": "First name", "ar": "الاسم الأول"},
                {"en": "The campaign's budget", "ar": "ميزانية الحملة"},
            ],
            "correct": [0, 1],
        },
        {
            "question": {
                "en": "What do you do after testing a campaign's reach?",
                "ar": "ماذا تفعل بعد اختبار مدى وصول الحملة؟",
            },
            "options": [
                {"en": "Write down what was checked", "ar": "أدوّن ما تم التحقق منه"},
                {"en": "Nothing", "ar": "لا شيء"},
            ],
            "correct": [0],
        },
    ],
    "pass_mark": 100,
    "is_active": True,
}

# (e-mail, module, completed this many days ago)
COMPLETIONS = [
    ("marketer@example.com", PRIVACY, 60),
    ("marketer@example.com", FAIRNESS, 60),
    ("marketer2@example.com", PRIVACY, 425),  # expired about two months ago
    ("marketer2@example.com", FAIRNESS, 90),
    ("reviewer@example.com", PRIVACY, 350),  # expires within 30 days
    ("reviewer@example.com", FAIRNESS, 120),
    ("chair@example.com", PRIVACY, 30),
    ("chair@example.com", FAIRNESS, 30),
]


def seed_training() -> int:
    """Create the demo modules and completions once; returns the completions recorded."""
    if TrainingModule.objects.filter(title_en=PRIVACY["title_en"]).exists():
        return 0
    admin = User.objects.get(email="admin@example.com")
    today = timezone.localdate()
    with transaction.atomic():
        modules = {
            spec["title_en"]: services.training_module_save(actor=admin, data=spec)
            for spec in (PRIVACY, FAIRNESS)
        }
        for email, spec, days_ago in COMPLETIONS:
            services.training_record(
                actor=admin,
                person=User.objects.get(email=email),
                module=modules[spec["title_en"]],
                completed_on=today - timedelta(days=days_ago),
                note="Demo: the board's induction session.",
            )
    return len(COMPLETIONS)
