"""Model instances read with a fixed WHERE and ORDER BY, without building a queryset.

The campaign page reads a dozen short lists (versions, assignments, votes, decisions,
conditions, comments, events, people), a few rows each. Through the ORM, building and
compiling each query cost more than running it; here the SELECT list and the value
converters of a model are worked out once per process, and the caller gives the WHERE
and ORDER BY as fixed SQL text with every value a parameter. Rows become instances with
``Model.from_db``, converted exactly as the ORM converts them (JSON decoded, SQLite
timestamps made aware), so they behave like the ORM's.

Only for plain reads of one table: no joins, no related objects (attach them yourself),
no default ordering (say the order).
"""

import hashlib
import re
import weakref
from functools import cache

from django.conf import settings
from django.db import ProgrammingError, connection


@cache
def _shape(
    model, defer: frozenset[str], alias: str, vendor: str
) -> tuple[str, tuple[str, ...], tuple]:
    """(the SELECT list with columns qualified by ``alias``, the attribute names in its
    order, (position, column, converter functions) of the columns that need converting).
    Kept per vendor: the converters (JSON decoding, SQLite's timestamps) hold no state of
    the connection they were taken from."""
    quote = connection.ops.quote_name
    fields = [
        f for f in model._meta.concrete_fields if f.name not in defer and f.attname not in defer
    ]
    converters = []
    for position, field in enumerate(fields):
        column = field.get_col(alias)
        functions = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if functions:
            converters.append((position, column, tuple(functions)))
    select = ", ".join(f"{quote(alias)}.{quote(f.column)}" for f in fields)
    return select, tuple(f.attname for f in fields), tuple(converters)


def _instance(model, names, converters, values):
    if converters:
        values = list(values)
        for position, column, functions in converters:
            value = values[position]
            for function in functions:
                value = function(value, column, connection)
            values[position] = value
    return model.from_db(connection.alias, names, values)


def read(model, where: str, params, *, order: str = "", defer=(), limit: int | None = None) -> list:
    """Instances of ``model`` whose row matches ``where`` (SQL text with %s for each of
    ``params``), in ``order`` (SQL text), at most ``limit``; ``defer``: fields left
    unread, loaded on access as the ORM's deferred fields are."""
    return read_each([(model, where, params, order, defer, limit)])[0]


def _statements(reads) -> list[tuple]:
    """(model, names, converters, SQL, params) of each read."""
    statements = []
    for model, where, params, order, defer, *rest in reads:
        limit = rest[0] if rest else None
        select, names, converters = _shape(
            model, frozenset(defer), model._meta.db_table, connection.vendor
        )
        table = connection.ops.quote_name(model._meta.db_table)
        # Fixed text from the caller and from the model's metadata; values are parameters.
        sql = f"SELECT {select} FROM {table} WHERE {where}"  # noqa: S608
        if order:
            sql += f" ORDER BY {order}"
        if limit is not None:
            sql += " LIMIT %s"
            params = [*params, limit]
        statements.append((model, names, converters, sql, list(params)))
    return statements


def _results(cursor, statements, *, first_is_current: bool) -> list[list]:
    """The instances of each statement's rows, their results read one after another
    from a cursor that ran them together (the first current already, or after
    nextset())."""
    results = []
    for index, (model, names, converters, _sql, _params) in enumerate(statements):
        if index or not first_is_current:
            cursor.nextset()
        results.append([_instance(model, names, converters, row) for row in cursor.fetchall()])
    return results


def read_each(reads) -> list[list]:
    """``read`` of several (model, where, params, order, defer[, limit]): on PostgreSQL in
    one round trip (the statements sent together, their results read one after another),
    elsewhere one query each."""
    statements = _statements(reads)
    results = []
    with connection.cursor() as cursor:
        if len(statements) > 1 and binds_client_side(cursor):
            # Several statements with parameters go as one query string and come back
            # as several results.
            cursor.execute(
                ";\n".join(sql for *_shape_of, sql, _params in statements),
                [value for *_rest, params in statements for value in params],
            )
            return _results(cursor, statements, first_is_current=True)
        for model, names, converters, sql, params in statements:
            cursor.execute(sql, params)
            results.append([_instance(model, names, converters, row) for row in cursor.fetchall()])
    return results


def read_together(
    models, tables: str, where: str, params, *, order: str = "", extra=(), prepared=False
) -> list[tuple]:
    """Rows of a join as tuples: an instance of each of ``models`` ((model, the alias
    its table has in ``tables``, fields to defer)), then the values of the ``extra``
    SQL expressions. ``tables`` is the FROM clause (SQL text). ``prepared``: on
    PostgreSQL a statement the session keeps prepared (``execute_prepared``)."""
    return read_together_and_each(
        models, tables, where, params, order=order, extra=extra, prepared=prepared
    )[0]


def read_together_and_each(
    models, tables: str, where: str, params, *, order="", extra=(), prepared=False, reads=()
) -> tuple[list[tuple], list[list]]:
    """``read_together`` and then ``read_each(reads)``: on PostgreSQL in one round trip."""
    shapes = [
        (model, *_shape(model, frozenset(defer), alias, connection.vendor))
        for model, alias, defer in models
    ]
    select = ", ".join([*(shape[1] for shape in shapes), *extra])
    # Fixed text from the caller and from the models' metadata; values are parameters.
    sql = f"SELECT {select} FROM {tables} WHERE {where}"  # noqa: S608
    if order:
        sql += f" ORDER BY {order}"
    statements = _statements(reads)
    lists = None
    with connection.cursor() as cursor:
        if binds_client_side(cursor):
            then = ";\n".join(statement[3] for statement in statements)
            then_params = [value for statement in statements for value in statement[4]]
            if prepared:
                execute_prepared(cursor, sql, params, then=then, then_params=then_params)
            else:
                cursor.execute(f"{sql};\n{then}" if then else sql, [*params, *then_params])
            rows = cursor.fetchall()
            lists = _results(cursor, statements, first_is_current=False)
        else:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    if lists is None:
        lists = read_each(reads) if reads else []
    found = []
    for row in rows:
        start, out = 0, []
        for model, _select, names, converters in shapes:
            out.append(_instance(model, names, converters, row[start : start + len(names)]))
            start += len(names)
        found.append((*out, *row[start:]))
    return found, lists


# The statements PREPAREd on each PostgreSQL session, by its psycopg connection.
_PREPARED_ON: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@cache
def _prepare_text(sql: str) -> tuple[str, str]:
    """The statement's name (from its text: PostgreSQL cuts names at 63 characters) and
    its PREPARE, each %s a numbered parameter."""
    numbers = iter(range(1, sql.count("%s") + 1))
    body = re.sub(r"%%|%s", lambda m: m.group() if m.group() == "%%" else f"${next(numbers)}", sql)
    name = f"rr_{hashlib.sha256(sql.encode()).hexdigest()[:24]}"
    return name, f"PREPARE {name} AS {body}"


def execute_prepared(cursor, sql: str, params, *, then: str = "", then_params=()) -> None:
    """Run ``sql`` (%s for each of ``params``) as a statement the PostgreSQL session keeps
    prepared: parsed and planned once per connection, only run by each request. For
    statements whose best plan does not depend on the values (lookups by key), or that
    have none (constants written in as literals). ``then``: another statement sent in
    the same round trip, planned as usual; its rows follow after ``cursor.nextset()``.
    Only where ``binds_client_side`` (which sends several statements at once). Outside a
    transaction, a session that lost the statement prepares it again, and one that has
    it already though this process did not know runs it.
    With the setting ``DB_PREPARED_STATEMENTS`` off, both are simply run."""
    tail = f";\n{then}" if then else ""
    values = [*params, *then_params]
    if not settings.DB_PREPARED_STATEMENTS:
        cursor.execute(f"{sql}{tail}", values)
        return
    name, prepare = _prepare_text(sql)
    known = _PREPARED_ON.setdefault(connection.connection, set())
    marks = ", ".join(["%s"] * len(params))
    run = f"EXECUTE {name}({marks})" if params else f"EXECUTE {name}"
    first = name not in known
    try:
        cursor.execute(f"{prepare};\n{run}{tail}" if first else f"{run}{tail}", values)
    except ProgrammingError as exc:
        from psycopg.errors import DuplicatePreparedStatement, InvalidSqlStatementName

        # The session lost the statement (DISCARD ALL), or has it though this process
        # did not know (a PREPARE whose round trip failed later on): once more the other
        # way, unless a transaction is open (the error has aborted it).
        cause = InvalidSqlStatementName if not first else DuplicatePreparedStatement
        if connection.in_atomic_block or not isinstance(exc.__cause__, cause):
            raise
        first = not first
        cursor.execute(f"{prepare};\n{run}{tail}" if first else f"{run}{tail}", values)
    known.add(name)
    if first:
        cursor.nextset()  # PREPARE returns no rows


def binds_client_side(cursor) -> bool:
    """Whether the cursor is psycopg's client-side binding one (Django's default on
    PostgreSQL; not with the ``server_side_binding`` option), which sends several
    statements with parameters in one go."""
    if connection.vendor != "postgresql":
        return False
    from psycopg import ClientCursor

    return isinstance(cursor.cursor, ClientCursor)


def placeholders(values) -> str:
    """The placeholders of an IN list of these values: "%s, %s, …"."""
    return ", ".join(["%s"] * len(values))
