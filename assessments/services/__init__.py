"""Every write goes through a function here: keyword-only, atomic, rows locked, the
audit event in the same transaction, side effects scheduled on commit.

One module per concern; everything is importable from ``assessments.services``."""

from .accounts import (
    invitation_accept,
    invitation_create,
    invitation_resend,
    invitation_revoke,
    team_create,
    user_set_active,
    user_set_language,
    user_set_roles,
)
from .campaigns import (
    INTAKE_FIELDS,
    ImportProblems,
    assessment_export,
    assessment_import,
    assessment_save_answers,
    campaign_create,
    campaign_update_intake,
    definition_checksum,
    evidence_add,
    evidence_delete,
    questionnaire_load,
)

__all__ = [
    "INTAKE_FIELDS",
    "ImportProblems",
    "assessment_export",
    "assessment_import",
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
]
