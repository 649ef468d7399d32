"""Per-week counts for digests and dashboards, and the PostgreSQL triggers that keep them exact.

Statement-level triggers (with transition tables, so a bulk statement costs one
insert per week it touches, not one per row) record in `intel_weekrollupdirty`
every Tokyo week whose counts a statement may have changed: a contribution
accepted, un-accepted or with its level, kind or stage changed, or a sector,
signal or country row added, removed or changed on an accepted one.
"""

from django.db import migrations, models


WEEK = "(date_trunc('week', {col} AT TIME ZONE 'Asia/Tokyo'))::date"
COUNTED = "('status', 'accepted_at', 'tlp', 'kind', 'supply_chain_stage')"
CHILDREN = ("intel_contributionsector", "intel_contributionsignal", "intel_contributioncountry")


def _mark(source: str, where: str = "") -> str:
    return (
        f"INSERT INTO intel_weekrollupdirty (week_start, txid) "
        f"SELECT DISTINCT {WEEK.format(col='c.accepted_at')}, txid_current() FROM {source} "
        f"WHERE c.status = 'accepted' AND c.accepted_at IS NOT NULL {where} "
        f"ON CONFLICT DO NOTHING;"
    )


def _function(name: str, body: str) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {body} RETURN NULL; END $$;"
    )


CHANGED = (
    "AND (o.status, o.accepted_at, o.tlp, o.kind, o.supply_chain_stage) IS DISTINCT FROM "
    "(n.status, n.accepted_at, n.tlp, n.kind, n.supply_chain_stage)"
)
FUNCTIONS = [
    _function("intel_rollup_contribution_new", _mark("new_rows c")),
    _function("intel_rollup_contribution_old", _mark("old_rows c")),
    _function(
        "intel_rollup_contribution_changed",
        _mark("old_rows c JOIN new_rows n ON n.id = c.id JOIN old_rows o ON o.id = c.id", CHANGED)
        + _mark("new_rows c JOIN old_rows o ON o.id = c.id JOIN new_rows n ON n.id = c.id", CHANGED),
    ),
    _function(
        "intel_rollup_child_new",
        _mark("new_rows r JOIN intel_contribution c ON c.id = r.contribution_id"),
    ),
    _function(
        "intel_rollup_child_old",
        _mark("old_rows r JOIN intel_contribution c ON c.id = r.contribution_id"),
    ),
    _function(
        "intel_rollup_child_changed",
        _mark("new_rows r JOIN intel_contribution c ON c.id = r.contribution_id")
        + _mark("old_rows r JOIN intel_contribution c ON c.id = r.contribution_id"),
    ),
]


def _trigger(table: str, event: str, function: str) -> str:
    referencing = {
        "INSERT": "NEW TABLE AS new_rows",
        "DELETE": "OLD TABLE AS old_rows",
        "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    }[event]
    return (
        f"CREATE TRIGGER {table}_rollup_{event.lower()} AFTER {event} ON {table} "
        f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {function}();"
    )


TRIGGERS = [
    _trigger("intel_contribution", "INSERT", "intel_rollup_contribution_new"),
    _trigger("intel_contribution", "DELETE", "intel_rollup_contribution_old"),
    _trigger("intel_contribution", "UPDATE", "intel_rollup_contribution_changed"),
    *(
        _trigger(table, event, f"intel_rollup_child_{suffix}")
        for table in CHILDREN
        for event, suffix in (("INSERT", "new"), ("DELETE", "old"), ("UPDATE", "changed"))
    ),
]
DROP = [
    *(
        f"DROP TRIGGER IF EXISTS {table}_rollup_{event} ON {table};"
        for table in ("intel_contribution", *CHILDREN)
        for event in ("insert", "delete", "update")
    ),
    *(
        f"DROP FUNCTION IF EXISTS intel_rollup_{name}();"
        for name in ("contribution_new", "contribution_old", "contribution_changed",
                     "child_new", "child_old", "child_changed")
    ),  # fmt: skip
]


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite (the embedded demo) always counts from the rows themselves
    for statement in FUNCTIONS + TRIGGERS:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in DROP:
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('intel', '0010_week_scan_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='WeekRollupState',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('week_start', models.DateField(unique=True)),
                ('snapshot_xmax', models.BigIntegerField()),
                ('computed_at', models.DateTimeField(auto_now=True)),
            ],
        ),
        migrations.CreateModel(
            name='WeekCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('week_start', models.DateField()),
                ('dimension', models.CharField(max_length=8)),
                ('sector', models.CharField(max_length=64)),
                ('slug', models.CharField(blank=True, max_length=64)),
                ('tlp', models.CharField(max_length=16)),
                ('kind', models.CharField(blank=True, max_length=16)),
                ('stage', models.CharField(blank=True, max_length=32)),
                ('count', models.PositiveIntegerField()),
            ],
            options={
                'indexes': [models.Index(fields=['week_start'], name='intel_weekcount_week_idx')],
            },
        ),
        migrations.CreateModel(
            name='WeekRollupDirty',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('week_start', models.DateField()),
                ('txid', models.BigIntegerField()),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('week_start', 'txid'), name='intel_rollup_dirty_once')],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
