"""Loading many rows fast on PostgreSQL (the dashboard's rebuild and the bulk seed):
drop a table's indexes and constraints for the load and recreate them after, and COPY."""

from collections.abc import Iterable

from django.db import connection


def drop_indexes(
    cursor,
    *,
    indexes_of: Iterable[str] = (),
    foreign_keys_of: Iterable[str] = (),
    referring_to: Iterable[str] | None = None,
    primary_keys_of: Iterable[str] = (),
) -> list[str]:
    """Before a bulk load (PostgreSQL): drop the indexes and unique constraints of the
    tables ``indexes_of`` (not their primary keys, nor partial or expression indexes), the
    primary keys of the tables ``primary_keys_of`` (none may be referred to), and
    the foreign keys of the tables ``foreign_keys_of`` (only those to the tables
    ``referring_to``, if given). Returns the statements that create them again as they
    were, from the catalogue's definitions; run them after the load, in the same
    transaction: building an index once is several times faster than maintaining it row by
    row, and a foreign key is then checked by one join instead of one lookup per row.
    Dropping locks the tables (and the tables their foreign keys refer to) against reading
    too until the transaction ends."""
    indexed, keyed = list(indexes_of), list(foreign_keys_of)
    targets = None if referring_to is None else list(referring_to)
    cursor.execute(
        "SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid), "
        "contype = 'f' FROM pg_constraint "
        "WHERE (contype = 'u' AND conrelid = ANY(%s::regclass[])) "
        "OR (contype = 'p' AND conrelid = ANY(%s::regclass[])) "
        "OR (contype = 'f' AND conrelid = ANY(%s::regclass[]) "
        "AND (%s::regclass[] IS NULL OR confrelid = ANY(%s::regclass[]))) ORDER BY 4, 1, 2",
        [indexed, list(primary_keys_of), keyed, targets, targets],
    )
    constraints = cursor.fetchall()
    # Partial and expression indexes stay: PostgreSQL does not print every predicate
    # back exactly as it was created (an IN list comes back in another form).
    cursor.execute(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
        "WHERE indrelid = ANY(%s::regclass[]) AND NOT indisprimary AND indpred IS NULL "
        "AND indexprs IS NULL AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint WHERE conindid = indexrelid) ORDER BY 1",
        [indexed],
    )
    indexes = cursor.fetchall()
    for table, name, _definition, _foreign in reversed(constraints):  # foreign keys first
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    return [
        "SET CONSTRAINTS ALL IMMEDIATE",  # ALTER TABLE needs no deferred checks pending
        *(definition for _name, definition in indexes),
        *(
            f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}"
            for table, name, definition, _foreign in constraints
        ),  # foreign keys last
    ]


def bulk_insert(
    model, columns: tuple[str, ...], rows: Iterable[tuple], *, freeze: bool = False
) -> None:
    """Insert many rows fast: COPY on PostgreSQL, executemany elsewhere (values are
    plain: str, int, ISO dates, JSON text). ``freeze`` (PostgreSQL, only into a table
    truncated in the same transaction and savepoint): the rows are written frozen and
    their pages marked all-visible, so the load writes less and index-only scans work
    at once instead of after the next VACUUM. (Other sessions cannot tell: TRUNCATE
    already hides the table's old rows from them.)"""
    table = model._meta.db_table
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            options = " WITH (FREEZE)" if freeze else ""
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN{options}") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) == 5000:
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", batch)  # noqa: S608
                batch = []
        if batch:
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", batch)  # noqa: S608
