# ruff: noqa: E501 - Markdown prose, wrapped where a reader would wrap it
"""Demo guidelines for ``seed_demo``: a few real rules of the board, in English and Arabic,
linked to the questions they govern. Safe to run again (existing titles are skipped)."""

from assessments.models import Guideline, User
from assessments.roles import Role
from assessments.services import guidelines as guideline_services

# (topic en, topic ar, title en, title ar, body en, body ar, question codes, dimensions)
GUIDELINES = [
    (
        "Personal data",
        "البيانات الشخصية",
        "Consent for profiling and the right to object",
        "الموافقة على التنميط والحق في الاعتراض",
        """Profiling people for marketing needs a lawful basis under **GDPR Art. 6(1)**. Where
the basis is consent, it must meet **Art. 7**: freely given, specific, informed, as easy to
withdraw as to give, and provable by us.

- Ask for consent to profiling separately from the terms and from other purposes.
- Under **Art. 21(2)** a person may object at any time to processing for direct marketing,
  including profiling related to it; under **Art. 21(3)** we then stop processing their data
  for that purpose, without exception.
- Record when and how each consent was given, and honour an objection in every tool within
  the campaign's next delivery cycle.
""",
        """يحتاج تنميط الأشخاص لأغراض التسويق إلى أساس قانوني وفق **المادة 6(1) من اللائحة العامة
لحماية البيانات**. وإذا كان الأساس هو الموافقة فيجب أن تستوفي **المادة 7**: أن تكون حرة ومحددة
ومستنيرة، وأن يكون سحبها بسهولة منحها، وأن نستطيع إثباتها.

- اطلب الموافقة على التنميط منفصلةً عن الشروط وعن الأغراض الأخرى.
- بموجب **المادة 21(2)** يحق للشخص الاعتراض في أي وقت على المعالجة لأغراض التسويق المباشر،
  بما في ذلك التنميط المرتبط به؛ وبموجب **المادة 21(3)** نتوقف عندئذٍ عن معالجة بياناته لهذا الغرض دون استثناء.
- سجّل متى وكيف مُنحت كل موافقة، وطبّق الاعتراض في كل أداة خلال دورة الإرسال التالية للحملة.
""",
        [
            "privacy.lawful_basis",
            "privacy.consent_quality",
            "privacy.purpose_profiling",
            "privacy.opt_outs",
        ],
        [],
    ),
    (
        "Transparency",
        "الشفافية",
        "Disclosing AI-generated content and chatbots",
        "الإفصاح عن المحتوى المولَّد بالذكاء الاصطناعي وروبوتات المحادثة",
        """The **EU AI Act, Art. 50** sets transparency duties that apply from 2 August 2026:

- **Art. 50(1)**: people talking to an AI system (a chatbot, a voice agent) are told so,
  unless it is obvious.
- **Art. 50(2)**: synthetic audio, image, video or text is marked in a machine-readable way
  (we use C2PA content credentials where the tool supports them).
- **Art. 50(4)**: a deep fake (image, audio or video resembling real people, places or
  events) is disclosed as artificially generated or manipulated.

Label generated media visibly in every market, not only in the EU.
""",
        """يضع **قانون الذكاء الاصطناعي الأوروبي، المادة 50** التزامات شفافية تسري اعتبارًا من 2 أغسطس 2026:

- **المادة 50(1)**: يُبلَّغ من يتحدث إلى نظام ذكاء اصطناعي (روبوت محادثة أو وكيل صوتي) بذلك،
  ما لم يكن الأمر واضحًا.
- **المادة 50(2)**: يُوسَم الصوت أو الصورة أو الفيديو أو النص الاصطناعي بطريقة قابلة للقراءة آليًا
  (نستخدم بيانات اعتماد المحتوى C2PA حيث تدعمها الأداة).
- **المادة 50(4)**: يُفصَح عن التزييف العميق (صورة أو صوت أو فيديو يشبه أشخاصًا أو أماكن أو أحداثًا حقيقية)
  بأنه مولَّد أو معدَّل اصطناعيًا.

ضع علامة ظاهرة على الوسائط المولَّدة في كل الأسواق، لا في الاتحاد الأوروبي وحده.
""",
        [
            "transparency.ai_disclosure",
            "transparency.content_labels",
            "transparency.bot_identification",
            "authenticity.deepfake_labelling",
        ],
        ["authenticity"],
    ),
    (
        "Personal data",
        "البيانات الشخصية",
        "Children's data",
        "بيانات الأطفال",
        """We do not profile children for marketing.

- **GDPR Art. 8**: where an online service relies on consent, a child under 16 (or the lower
  age a Member State sets, not below 13) needs the consent of the holder of parental
  responsibility, and we make reasonable efforts to verify it.
- **COPPA, 16 CFR Part 312**: for US users under 13, verifiable parental consent before
  collecting personal information (§ 312.5) and a clear notice to parents (§ 312.4).
- Campaigns that reach minors use contextual targeting only.
""",
        """لا ننمّط الأطفال لأغراض التسويق.

- **المادة 8 من اللائحة العامة لحماية البيانات**: إذا اعتمدت خدمة إلكترونية على الموافقة، فإن الطفل دون 16 عامًا
  (أو السن الأدنى الذي تحدده الدولة العضو، على ألا يقل عن 13) يحتاج إلى موافقة صاحب المسؤولية الأبوية،
  ونبذل جهودًا معقولة للتحقق منها.
- **قانون COPPA، الجزء 312 من الباب 16 من مدونة اللوائح الفيدرالية**: للمستخدمين في الولايات المتحدة دون 13 عامًا،
  موافقة أبوية يمكن التحقق منها قبل جمع المعلومات الشخصية (§ 312.5) وإشعار واضح للوالدين (§ 312.4).
- الحملات التي تصل إلى القاصرين تستخدم الاستهداف السياقي فقط.
""",
        ["privacy.children_data", "manipulation.children_persuasion"],
        [],
    ),
    (
        "Consumer protection",
        "حماية المستهلك",
        "Vulnerable audiences",
        "الفئات المستضعفة",
        """**Unfair Commercial Practices Directive (2005/29/EC), Art. 5(3)**: a practice likely to
distort the behaviour of a clearly identifiable group of consumers who are particularly
vulnerable because of mental or physical infirmity, age or credulity is judged from the
average member of that group.

- Do not target or exclude people by inferred vulnerability (debt, addiction, illness, grief).
- Where the audience may include vulnerable people, the board reviews the creative and the
  targeting before launch.
""",
        """**توجيه الممارسات التجارية غير العادلة (2005/29/EC)، المادة 5(3)**: الممارسة التي يُرجَّح أن تُشوّه سلوك
فئة محددة بوضوح من المستهلكين المستضعفين بشكل خاص بسبب علّة عقلية أو جسدية أو السن أو سرعة التصديق
تُقيَّم من منظور المستهلك المتوسط في تلك الفئة.

- لا تستهدف الأشخاص ولا تستبعدهم بناءً على هشاشة مستنتجة (الديون أو الإدمان أو المرض أو الفقد).
- إذا كان الجمهور قد يشمل أشخاصًا مستضعفين، يراجع المجلس المحتوى الإبداعي والاستهداف قبل الإطلاق.
""",
        ["manipulation.vulnerable_targeting", "manipulation.vulnerability_exploitation"],
        ["manipulation"],
    ),
]


def seed_guidelines() -> int:
    """Publish the demo guidelines missing so far, as the demo administrator."""
    author = User.objects.filter(is_active=True, roles__role=Role.ADMIN).order_by("pk").first()
    if author is None:
        return 0
    existing = set(Guideline.objects.values_list("current__title_en", flat=True))
    created = 0
    for topic_en, topic_ar, title_en, title_ar, body_en, body_ar, codes, dimensions in GUIDELINES:
        if title_en in existing:
            continue
        topic = guideline_services.guideline_topic_create(
            actor=author, name_en=topic_en, name_ar=topic_ar
        )
        guideline_services.guideline_publish(
            actor=author,
            topic=topic,
            title_en=title_en,
            title_ar=title_ar,
            body_en=body_en,
            body_ar=body_ar,
            change_summary="",
            question_codes=codes,
            dimensions=dimensions,
        )
        created += 1
    return created
