"""Every write goes through a function here: keyword-only, atomic (each service owns its
``transaction.atomic()`` block), rows locked, the audit event in the same transaction, the
read models refreshed explicitly in it (``read_models.read_models_refresh``), side effects
scheduled on commit.

One module per concern; everything is importable from ``assessments.services``."""

from .accounts import (
    invitation_accept,
    invitation_create,
    invitation_resend,
    invitation_revoke,
    team_create,
    team_rename,
    user_set_active,
    user_set_language,
    user_set_roles,
    user_update,
)
from .api_tokens import api_token_create, api_token_revoke
from .assignments import (
    assignment_accept,
    assignment_recuse,
    eligible_reviewers,
    review_assign,
    review_propose,
    reviewer_assignments_withdraw,
)
from .calendar import closure_day_add, closure_day_remove, user_set_time_zone
from .campaigns import (
    INTAKE_FIELDS,
    ImportProblems,
    assessment_export,
    assessment_import,
    assessment_move_questionnaire,
    assessment_save_answers,
    campaign_create,
    campaign_update_intake,
    definition_checksum,
    evidence_add,
    evidence_delete,
    questionnaire_load,
)
from .clearance import (
    approvals_expire,
    campaign_withdraw,
    condition_fulfil,
    condition_verify,
)
from .feedback import (
    campaign_send_back,
    feedback_add,
    feedback_add_public,
    feedback_triage,
    ip_hash,
    notice_draft,
    notice_has_ended,
    notice_missing,
    notice_prepare,
    notice_publish,
    notice_update,
)
from .guidelines import (
    acknowledge_for_submission,
    guideline_publish,
    guideline_topic_create,
)
from .incidents import (
    breach_deadlines_remind,
    incident_add_entry,
    incident_close,
    incident_lift_suspension,
    incident_open,
)
from .monitoring import monitoring_report_file, monitoring_scan
from .notifications import notification_preferences_set, notifications_mark_read
from .panel import (
    current_version,
)
from .personal_data import feedback_contacts_purge, person_erase, person_export, pseudonym
from .register import (
    TOOL_FIELDS,
    campaign_set_tools,
    tool_evidence_add,
    tool_review,
    tool_save,
)
from .review import (
    comment_add,
    decision_confirm,
    decision_overrule,
    expectation_of,
    signing_expectation,
    vote_cast,
)
from .search_text import search_text_refresh
from .submission import (
    campaign_submit,
    submission_outlook,
    submit_blockers,
)
from .training import (
    CsvProblems,
    QuizOutcome,
    training_import,
    training_module_save,
    training_record,
    training_reminders_send,
    training_take,
)

__all__ = [
    "breach_deadlines_remind",
    "incident_add_entry",
    "incident_close",
    "incident_lift_suspension",
    "incident_open",
    "monitoring_report_file",
    "monitoring_scan",
    "acknowledge_for_submission",
    "guideline_publish",
    "guideline_topic_create",
    "CsvProblems",
    "QuizOutcome",
    "training_import",
    "training_module_save",
    "training_record",
    "training_reminders_send",
    "training_take",
    "search_text_refresh",
    "team_rename",
    "closure_day_add",
    "closure_day_remove",
    "user_set_time_zone",
    "TOOL_FIELDS",
    "campaign_set_tools",
    "tool_evidence_add",
    "tool_review",
    "tool_save",
    "api_token_create",
    "api_token_revoke",
    "feedback_contacts_purge",
    "person_erase",
    "person_export",
    "pseudonym",
    "notification_preferences_set",
    "notifications_mark_read",
    "campaign_send_back",
    "feedback_add",
    "feedback_add_public",
    "feedback_triage",
    "ip_hash",
    "notice_draft",
    "notice_has_ended",
    "notice_missing",
    "notice_prepare",
    "notice_publish",
    "notice_update",
    "approvals_expire",
    "assignment_accept",
    "assignment_recuse",
    "campaign_submit",
    "submission_outlook",
    "submit_blockers",
    "campaign_withdraw",
    "comment_add",
    "condition_fulfil",
    "condition_verify",
    "current_version",
    "decision_confirm",
    "decision_overrule",
    "eligible_reviewers",
    "review_assign",
    "review_propose",
    "expectation_of",
    "reviewer_assignments_withdraw",
    "signing_expectation",
    "vote_cast",
    "INTAKE_FIELDS",
    "ImportProblems",
    "assessment_export",
    "assessment_import",
    "assessment_move_questionnaire",
    "assessment_save_answers",
    "campaign_create",
    "campaign_update_intake",
    "definition_checksum",
    "evidence_add",
    "evidence_delete",
    "invitation_accept",
    "invitation_create",
    "invitation_resend",
    "invitation_revoke",
    "questionnaire_load",
    "team_create",
    "user_set_active",
    "user_set_language",
    "user_set_roles",
    "user_update",
]
