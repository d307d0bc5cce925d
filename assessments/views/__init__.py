"""Thin views: scoped getter, form, service, redirect. One module per area of the app."""

from .calendar import closure_day_remove, time_zone_set, working_calendar_page  # noqa: F401
from .campaign_page import campaign_detail  # noqa: F401
from .campaigns import (  # noqa: F401
    assessment_move,
    assessment_start,
    assessment_step,
    assessment_summary,
    campaign_edit,
    campaign_new,
    evidence_delete,
    evidence_download,
    evidence_upload,
    my_campaigns,
    version_diff,
)
from .dashboard import campaign_export, campaign_list, dashboard, home, review_queue  # noqa: F401
from .feedback import (  # noqa: F401
    campaign_send_back,
    feedback_add,
    feedback_attachment,
    feedback_triage,
    notice_edit,
    public_notice,
    public_notice_thanks,
)
from .guidelines import (  # noqa: F401
    guideline_detail,
    guideline_edit,
    guideline_list,
    guideline_new,
    guideline_version,
)
from .incidents import incident_detail, incident_list  # noqa: F401
from .monitoring import monitoring_page, monitoring_report  # noqa: F401
from .notifications import notification_settings, notifications_page, notifications_read  # noqa: F401
from .people import (  # noqa: F401
    api_token_revoke,
    api_tokens,
    invitation_accept,
    invitation_resend,
    invitation_revoke,
    invite,
    people,
    person_edit,
    set_language,
    user_access,
)
from .register import (  # noqa: F401
    register_detail,
    register_edit,
    register_evidence_download,
    register_evidence_upload,
    register_list,
    register_review,
)
from .review import (  # noqa: F401
    assignment_respond,
    campaign_submit,
    campaign_withdraw,
    comment_add,
    condition_fulfil,
    condition_verify,
    decision_confirm,
    decision_overrule,
    review_assign,
    vote,
)
from .shared import mfa_required_page  # noqa: F401
from .training import (  # noqa: F401
    training_import,
    training_list,
    training_module,
    training_module_edit,
    training_module_new,
    training_record,
)
