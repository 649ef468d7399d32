"""What autovacuum keeps on a live store, done by a benchmark before it times anything."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, models


def vacuum_analyze(tables: Iterable[type[models.Model]]) -> None:
    """`VACUUM (ANALYZE)` the models' tables: no dead rows, fresh statistics, visibility map.

    Only on PostgreSQL and outside a transaction, where VACUUM can run (a
    test's run inside one has no churn to clear).
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    quote = connection.ops.quote_name
    names = ", ".join(quote(model._meta.db_table) for model in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {names}")
