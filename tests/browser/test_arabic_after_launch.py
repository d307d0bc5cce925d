"""The Arabic pages added after the three journeys (issues #21 and #22: monitoring, incidents,
training, the AI tool register, guidelines, the working calendar) show no English interface
text either. Everything a person entered is in Arabic here, so any Latin word left is the
interface's (see ``test_arabic_pages`` for what is read and what is allowed). The campaign
page and the report are left out here: the approved campaign's assessment is the English-only
sample questionnaire (data, not interface)."""

import pytest

from assessments import services
from assessments.models import Campaign, Team, User
from tests.browser.test_arabic_pages import Pages, sign_in
from tests.factories import make_tool
from tests.training_support import make_module

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARABIC_TOOL = {
    "name": "كاتب الإعلانات",
    "provider": "مختبرات لومن",
    "purpose": "يكتب مسودات الإعلانات.",
    "data_regions": "الاتحاد الأوروبي",
    "opt_outs": "لا تدريب على مدخلاتنا.",
    "limitations": "بطاقة النموذج الثالثة.",
}


def arabic_names() -> None:
    """Everyone and every team named in Arabic, and reading in Arabic."""
    for number, person in enumerate(User.objects.order_by("pk")):
        person.display_name = f"مستخدم {number}"
        person.language = "ar"
        person.save(update_fields=["display_name", "language"])
    Team.objects.update(name="فريق الشفق")


def test_after_launch_pages_in_arabic_show_no_english(
    live_server, browser, approved_campaign, marketer, chair, board, manager, admin_user
):
    base = live_server.url
    arabic_names()
    campaign = approved_campaign
    Campaign.objects.filter(pk=campaign.pk).update(
        name="حملة الربيع",
        objective="زيادة الاشتراكات",
        description="جماهير مشابهة من بياناتنا",
        audiences="بالغون في الاتحاد الأوروبي",
    )
    services.monitoring_report_file(
        actor=marketer,
        campaign=campaign,
        figures="الشباب,1000,120\nالكبار,1000,60",
        observations="الفرق بين الفئتين كبير.",
    )
    incident = services.incident_open(
        actor=marketer,
        campaign=campaign,
        what_happened="وصلت الإعلانات إلى قاصرين.",
        harm_type="safety",
        severity="severe",
        personal_data_breach=True,
    )
    services.incident_add_entry(
        actor=marketer, incident=incident, kind="update", text="أوقفنا الإعلانات."
    )
    module = make_module(roles=["marketer"], title_en="Consent", content_en="Read.")
    tool = make_tool(actor=chair, review="approved", **ARABIC_TOOL)
    topic = services.guideline_topic_create(actor=chair, name_en="Data", name_ar="البيانات")
    guideline = services.guideline_publish(
        actor=chair,
        topic=topic,
        title_en="Consent",
        title_ar="الموافقة",
        body_en="Ask first.",
        body_ar="اطلب الموافقة أولًا.",
        change_summary="النسخة الأولى",
    ).guideline
    pages = Pages(entered=())

    team = sign_in(browser, base, marketer)
    for name, path in [
        ("monitoring", f"/campaigns/{campaign.pk}/monitoring/"),
        ("incidents", f"/campaigns/{campaign.pk}/incidents/"),
        ("incident", f"/campaigns/{campaign.pk}/incidents/{incident.pk}/"),
        ("training", "/training/"),
        ("training module", f"/training/{module.pk}/"),
        ("register", "/register/"),
        ("register entry", f"/register/{tool.pk}/"),
        ("guidelines", "/guidelines/"),
        ("guideline", f"/guidelines/{guideline.pk}/"),
        ("working calendar", "/calendar/"),
        ("notifications", "/notifications/"),
    ]:
        team.goto(base + path)
        pages.check(team, f"{name} (marketer)")

    board_member = sign_in(browser, base, chair)
    for name, path in [
        ("incident", f"/campaigns/{campaign.pk}/incidents/{incident.pk}/"),
        ("monitoring", f"/campaigns/{campaign.pk}/monitoring/"),
        ("register entry", f"/register/{tool.pk}/"),
    ]:
        board_member.goto(base + path)
        pages.check(board_member, f"{name} (chair)")

    admin = sign_in(browser, base, admin_user)
    for name, path in [("people", "/people/"), ("record training", "/training/record/")]:
        admin.goto(base + path)
        pages.check(admin, f"{name} (administrator)")

    for page in (team, board_member, admin):
        page.context.close()
    assert not pages.found, "English words on Arabic pages:\n" + pages.report()
