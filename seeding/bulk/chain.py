"""The audit events of the bulk history, appended to the global hash chain exactly as
``audit.record`` would."""

from __future__ import annotations

import hashlib
import heapq
import json
from datetime import UTC, datetime

from assessments import audit
from assessments.models import (
    AuditEvent,
)

from .sink import _dumps, _Sink


def _json_id(value: int | None) -> str:
    return "null" if value is None else str(int(value))


class _Chain:
    """The audit events, appended to the global hash chain in the order they happened.

    Campaigns are generated in order of creation and nothing happens to a campaign before
    it is created, so once the next campaign's creation time is reached every earlier
    event is known: ``append_until`` chains and writes those (while later ones wait in a
    heap), so the events are written as the campaigns are generated, in time order."""

    def __init__(self, sink: _Sink, seq: int, prev_hash: str):
        self.sink = sink
        self.seq = seq
        self.prev_hash = prev_hash
        self.heap: list[tuple] = []
        self.count = 0  # events pushed
        self.done_before: datetime | None = None
        self.kinds: dict[str, str] = {}  # event kind -> its JSON text
        self.check_next = False

    def push(self, moment: datetime, campaign_id: int, kind: str, actor_id, payload) -> None:
        if self.done_before is not None and moment < self.done_before:
            raise RuntimeError(f"a {kind} event at {moment} came after the chain passed it")
        heapq.heappush(self.heap, (moment, self.count, campaign_id, kind, actor_id, payload))
        self.count += 1

    def append_until(self, limit: datetime | None) -> None:
        """Chain every event before ``limit`` (all of them with None)."""
        heap, sink, kinds = self.heap, self.sink, self.kinds
        while heap and (limit is None or heap[0][0] < limit):
            moment, _n, campaign_id, kind, actor_id, payload = heapq.heappop(heap)
            self.seq += 1
            payload_json = _dumps(payload)
            # audit.canonical() of the event, assembled from its parts: the payload's text
            # is its stored, canonical JSON (payloads hold only ids, codes, flags and
            # numbers, which _clean_payload() and _normalised() leave as they are).
            kind_json = kinds.get(kind)
            if kind_json is None:
                kind_json = kinds[kind] = json.dumps(kind, ensure_ascii=False)
                self.check_next = True  # the first event of each kind is checked
            created = moment.astimezone(UTC).isoformat(timespec="microseconds")
            document = (
                f'{{"actor_id":{_json_id(actor_id)},"campaign_id":{_json_id(campaign_id)},'
                f'"created_at":"{created}","kind":{kind_json},"payload":{payload_json},'
                f'"seq":{self.seq}}}'
            )
            digest = hashlib.sha256((self.prev_hash + document).encode("utf-8")).hexdigest()
            if self.check_next or self.seq % 1000 == 0:
                self.check_next = False
                fields = {
                    "seq": self.seq,
                    "kind": kind,
                    "campaign_id": campaign_id,
                    "actor_id": actor_id,
                    "created_at": moment,
                    "payload": payload,
                }
                if audit.compute_hash(self.prev_hash, fields) != digest:
                    raise RuntimeError("seeding.bulk hashes audit events differently from audit")
            sink.add(
                AuditEvent,
                (
                    sink.new_id(AuditEvent),
                    self.seq,
                    kind,
                    campaign_id,
                    actor_id,
                    moment,
                    payload_json,
                    self.prev_hash,
                    digest,
                ),
            )
            self.prev_hash = digest
        if limit is not None:
            self.done_before = limit
