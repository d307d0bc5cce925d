"""Demo monitoring for ``seed_demo``: the approved "Spring hydration lookalikes" campaign gets
two monitoring reports, the second breaching the four-fifths rule, and one open incident.
Safe to run again."""

from assessments import services
from assessments.models import APPROVED_STATES, Campaign

CAMPAIGN = "Spring hydration lookalikes"

# segment, people reached, positive outcomes (offers redeemed)
FAIR = """segment,reached,positive
Women 18-34,4200,610
Men 18-34,3900,545
Women 35-54,2800,402
Men 35-54,2600,371
"""
BREACHING = """segment,reached,positive
Women 18-34,5100,780
Men 18-34,4700,700
Women 35-54,3300,330
نساء ٥٥ فأكثر,1200,84
"""


def seed_monitoring() -> int:
    """File the two demo reports if the campaign is live and has none yet."""
    campaign = Campaign.objects.filter(name=CAMPAIGN, status__in=APPROVED_STATES).first()
    if campaign is None or campaign.monitoring_reports.exists():
        return 0
    services.monitoring_report_file(
        actor=campaign.owner,
        campaign=campaign,
        figures=FAIR,
        observations="First weeks: redemption rates are close across segments.",
    )
    services.monitoring_report_file(
        actor=campaign.owner,
        campaign=campaign,
        figures=BREACHING,
        observations=(
            "The lookalike model narrowed delivery: older women see fewer offers and redeem "
            "fewer. We paused the 55+ lookalike seed while we investigate."
        ),
    )
    services.incident_open(
        actor=campaign.owner,
        campaign=campaign,
        what_happened=(
            "A customer reports that the lookalike seed list included people who had opted "
            "out of marketing; their e-mail addresses were uploaded to the ad platform."
        ),
        harm_type="privacy",
        severity="serious",
        people_affected=340,
        platform_involved=True,
        personal_data_breach=True,
    )
    return 2
