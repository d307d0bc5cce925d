"""Writing the generated rows: ids assigned here, COPY on PostgreSQL (INSERT batches
elsewhere) from a writer thread, the tables' indexes and foreign keys dropped during the
load and made again at its end."""

from __future__ import annotations

import json
import queue
import sys
import threading
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from operator import itemgetter

from django.db import connection

from assessments import dashboard_counts
from assessments.models import (
    Assessment,
    Assignment,
    AuditEvent,
    Campaign,
    CampaignVersion,
    Condition,
    Decision,
    Feedback,
    TransparencyNotice,
    Vote,
)

# --- writing rows ---------------------------------------------------------------------------


# The columns written, per model (checked against the models at start).
def _columns(names: str) -> tuple[str, ...]:
    return tuple(names.split())


COLUMNS: dict[type, tuple[str, ...]] = {
    Campaign: _columns(
        "id team_id owner_id name objective description channels markets audiences "
        "reaches_minors reaches_vulnerable ai_techniques data_sources data_categories "
        "flight_start flight_end status tier submitted_at first_submitted_at "
        "review_due_at decided_at approval_expires_at rereview_flagged_at created_at "
        "updated_at search_text clearance_suspended_by_id latest_version_id "
        "latest_version_number last_event_seq"
    ),
    Assessment: _columns(
        "id campaign_id questionnaire_id answers last_section created_at updated_at"
    ),
    CampaignVersion: _columns(
        "id campaign_id number questionnaire_id content fingerprint tier submitted_by_id created_at"
    ),
    Assignment: _columns(
        "id campaign_id version_id reviewer_id assigned_by_id status coi_declaration "
        "recusal_reason created_at responded_at"
    ),
    Vote: _columns(
        "id campaign_id version_id reviewer_id decision rationale conditions reasons "
        "signer_name signed_at meaning fingerprint meaning_signed meaning_language "
        "report_every_days"
    ),
    Decision: _columns(
        "id campaign_id version_id outcome kind rationale decided_by_id signer_name "
        "meaning fingerprint reasons created_at meaning_signed meaning_language"
    ),
    Condition: _columns(
        "id campaign_id version_id vote_id text status fulfilment_note fulfilled_by_id "
        "fulfilled_at verified_by_id verified_at awaiting_verification decision_id "
        "report_every_days"
    ),
    Feedback: _columns(
        "id campaign_id source category severity text author_id contact_email "
        "contact_consent ip_hash attachment attachment_name attachment_type status "
        "triage_note triaged_by_id triaged_at created_at"
    ),
    TransparencyNotice: _columns(
        "id campaign_id public_id title_en title_ar body_en body_ar contact published_at updated_at"
    ),
    AuditEvent: _columns("id seq kind campaign_id actor_id created_at payload prev_hash hash"),
}


def _fields(model: type, names: str) -> itemgetter:
    """Read these columns (by name) out of a row of ``model`` as written."""
    return itemgetter(*(COLUMNS[model].index(name) for name in names.split()))


_DECISION_FIELDS = _fields(Decision, "id version_id kind outcome reasons created_at")
_ASSIGNMENT_FIELDS = _fields(Assignment, "version_id reviewer_id status created_at")
_VOTE_FIELDS = _fields(Vote, "version_id reviewer_id signed_at")
_FEEDBACK_FIELDS = _fields(Feedback, "category created_at")


# canonical.canonical_json's options in an encoder made once (json.dumps makes one per call); the
# version fingerprints and the audit hashes are checked against the real functions.
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _dumps(value) -> str:
    """JSON text for a JSON column (canonical form: compact, sorted keys)."""
    return _CANONICAL.encode(value)


class _Sink:
    """Buffers rows and writes them in batches, tables in the order of COLUMNS (so a row's
    references are written before it): on PostgreSQL with COPY from a writer thread (the
    server parses, indexes and checks foreign keys while Python generates), elsewhere with
    executemany INSERT. Ids are assigned here; on PostgreSQL the tables are locked against
    other inserts until the transaction ends (and against reading: see start())."""

    FLUSH_ROWS = 20_000
    # The writer thread needs the GIL briefly between its many waits on the network; while
    # the main thread generates, it keeps the GIL for the switch interval (5 ms by default)
    # before handing it over, so the writer falls behind and the server waits for data.
    # This shorter interval applies while the writer runs.
    SWITCH_INTERVAL = 0.0002

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"
        self.buffers: dict[type, list[tuple]] = {model: [] for model in COLUMNS}
        self.pending = 0
        self.next_ids: dict[type, int] = {}
        self.first_ids: dict[type, int] = {}
        self.written: Counter = Counter()
        # model -> the rows added since the caller last emptied the list (see tap())
        self.tapped: dict[type, list[tuple]] = {}
        self.restore: list[str] = []  # statements that rebuild what start() dropped
        self.thread: threading.Thread | None = None
        self.failure: BaseException | None = None
        for model, columns in COLUMNS.items():
            actual = {f.column for f in model._meta.concrete_fields}
            if set(columns) != actual:
                raise RuntimeError(
                    f"seeding.bulk is out of date for {model.__name__}: "
                    f"columns {sorted(actual ^ set(columns))} differ from the model"
                )

    def start(self) -> None:
        tables = [model._meta.db_table for model in COLUMNS]
        with connection.cursor() as cursor:
            if self.postgres:
                # Nobody else may insert (and draw ids) until we commit.
                cursor.execute(f"LOCK TABLE {', '.join(tables)} IN EXCLUSIVE MODE")
                # Check foreign keys as each COPY ends (in the writer thread, while Python
                # works) rather than all at once at COMMIT.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                # Those between the tables written are checked once at the end instead, and
                # the audit events' indexes (two on random hashes: every insert touched
                # another page) are built once at the end: the server's share of the load
                # halves. Dropping them locks these tables against reading until we commit.
                self.restore = dashboard_counts.drop_indexes(
                    cursor,
                    indexes_of=[AuditEvent._meta.db_table],
                    foreign_keys_of=tables,
                    referring_to=tables,
                )
                for model in COLUMNS:
                    cursor.execute(
                        "SELECT nextval(pg_get_serial_sequence(%s, 'id'))",
                        [model._meta.db_table],
                    )
                    self.next_ids[model] = cursor.fetchone()[0]
            else:
                for model in COLUMNS:
                    cursor.execute(
                        f"SELECT COALESCE(MAX(id), 0) + 1 FROM {model._meta.db_table}"  # noqa: S608
                    )
                    self.next_ids[model] = cursor.fetchone()[0]
        self.first_ids = dict(self.next_ids)
        if self.postgres:
            # The same session (and transaction) as Django's connection; the main thread
            # does not use the connection until close().
            self.raw = connection.connection
            self.queue: queue.Queue = queue.Queue(maxsize=4)
            self.thread = threading.Thread(target=self._copy_loop, name="bulk-seed-copy")
            self.switch_interval = sys.getswitchinterval()
            sys.setswitchinterval(self.SWITCH_INTERVAL)
            self.thread.start()

    def new_id(self, model: type) -> int:
        value = self.next_ids[model]
        self.next_ids[model] = value + 1
        return value

    def tap(self, *models: type) -> None:
        """Also collect the rows of these models in ``tapped`` (the caller empties it)."""
        for model in models:
            self.tapped[model] = []

    def add(self, model: type, row: tuple) -> None:
        self.buffers[model].append(row)
        self.pending += 1
        tapped = self.tapped.get(model)
        if tapped is not None:
            tapped.append(row)

    def flush_if_full(self) -> None:
        """Call only when every buffered row's references are buffered too (between
        campaigns): foreign keys are checked as each batch is written."""
        if self.pending >= self.FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        batch = [(model, rows) for model, rows in self.buffers.items() if rows]
        if not batch:
            return
        self.buffers = {model: [] for model in COLUMNS}
        self.pending = 0
        for model, rows in batch:
            self.written[model] += len(rows)
        if not self.postgres:
            self._insert(batch)
            return
        self._hand_over(batch)

    def _hand_over(self, work) -> None:
        """Queue a batch of rows (or a function of a cursor) for the writer thread."""
        while True:
            if self.failure is not None:
                raise RuntimeError("writing the generated rows failed") from self.failure
            try:
                self.queue.put(work, timeout=1)
                return
            except queue.Full:
                continue

    def _copy_loop(self) -> None:
        while True:
            batch = self.queue.get()
            if batch is None:
                return
            if self.failure is not None:
                continue  # drain; close() reports the failure
            try:
                with self.raw.cursor() as cursor:
                    if callable(batch):
                        batch(cursor)
                        continue
                    for model, rows in batch:
                        table, columns = model._meta.db_table, ", ".join(COLUMNS[model])
                        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                            for row in rows:
                                copy.write_row(row)
            except BaseException as exc:  # handed to the main thread
                self.failure = exc

    def _insert(self, batch) -> None:
        adapt = connection.ops.adapt_datetimefield_value
        with connection.cursor() as cursor:
            for model, rows in batch:
                columns = COLUMNS[model]
                converted = [
                    tuple(
                        adapt(v)
                        if isinstance(v, datetime)
                        else v.isoformat()
                        if isinstance(v, date)
                        else v
                        for v in row
                    )
                    for row in rows
                ]
                placeholders = ", ".join(["%s"] * len(columns))
                cursor.executemany(
                    f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "  # noqa: S608
                    f"VALUES ({placeholders})",
                    converted,
                )

    def close(self, *, check: bool = True) -> None:
        """Write what is buffered (with ``check``), wait for the writer thread, and raise
        its failure (with ``check``). Safe to call again, and after an error (before the
        transaction rolls back)."""
        if check:
            self.flush()
        if self.thread is not None:
            self.queue.put(None)
            self.thread.join()
            self.thread = None
            sys.setswitchinterval(self.switch_interval)
        if check and self.failure is not None:
            raise RuntimeError("writing the generated rows failed") from self.failure

    def finish(self, meanwhile: Callable[[], None] = lambda: None) -> None:
        """Write what is buffered, move the id sequences past the ids used (PostgreSQL;
        SQLite follows by itself) and make again what start() dropped. On PostgreSQL the
        writer thread does this while ``meanwhile`` runs here: Python work that does not
        use the database (the server is busy, this process would wait)."""
        self.flush()
        if self.postgres:
            self._hand_over(self._restore)
        meanwhile()
        self.close()

    def _restore(self, cursor) -> None:
        for model in COLUMNS:
            last = self.next_ids[model] - 1
            if last >= self.first_ids[model]:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
                    [model._meta.db_table, last],
                )
        for statement in self.restore:
            cursor.execute(statement)
