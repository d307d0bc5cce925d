"""Bulk demo history: ``seed(n)`` adds ``n`` campaigns with a realistic, consistent review
history, written in a few bulk inserts, for measuring the dashboards at scale.

Through the services every action takes row locks, sends notifications and refreshes the
dashboard counts one campaign at a time: too slow for 100,000 campaigns. So the rows are
generated here the
way the services would have written them, and inserted with PostgreSQL ``COPY`` (plain
``INSERT`` batches on SQLite):

- every campaign follows the workflow (``workflow.TRANSITIONS``) to its current state; its
  versions hold ``services.submission.version_content`` exactly (intake export, answers, the
  real scorer's ``Result.as_dict()``) and ``fingerprint_of`` that content; reviewers are
  routed per ``rule_for(tier)``, accept before they vote, sign with ``VOTE_MEANINGS``;
  decisions follow ``workflow.outcome_of`` (tier IV waits for the chair's confirmation),
  carry ``decision_reasons`` and start the approval's validity; approvals past it expired;
- scoring is slow, so a pool of a few hundred (intake profile, answers) pairs is scored once
  and every campaign takes one of them (Prohibited and unfinished ones only as drafts);
- every action has its audit event, with the services' payloads, appended to the global
  hash chain as ``audit.compute_hash`` does (checked against it regularly; the chain head
  row is locked throughout);
- each campaign's dashboard facts are ``dashboard_counts.facts_of`` its rows as written, and
  finally ``dashboard_counts.rebuild()`` recomputes the dashboard counts from them (and from the
  data of campaigns that existed before), without reading the new rows back.

Everything runs in one transaction: a failure leaves nothing behind. On PostgreSQL the
tables written are locked against concurrent inserts while it runs (ids are assigned here),
and against reading too: the foreign keys between them and the audit events' indexes are
dropped during the load and made again at its end (see ``_Sink.start``). The random
generator is seeded, so a run is reproducible (up to the current time).
"""

from .load import Summary, seed
from .vocabulary import BULK_PASSWORD

__all__ = ["BULK_PASSWORD", "Summary", "seed"]
