"""The security log is append-only, whatever runs SQL against it (等保 level 3: 审计记录应进行保护，
避免受到未预期的删除、修改或覆盖): an UPDATE is refused, and on PostgreSQL so is a DELETE of a row
younger than 180 days, the least that 等保 asks to keep (AUDIT_LOG_RETENTION_DAYS may keep longer;
portal.accounts.purge_audit_log deletes only what is older). 23001 is restrict_violation, so
Django raises IntegrityError. A staff account is therefore never deleted once it has acted: its
rows would lose their `user` (SET_NULL is an UPDATE); accounts are disabled instead.

SQLite (development and the first test pass) refuses the UPDATE only: Django's test flush empties
its tables with DELETE, where PostgreSQL's uses TRUNCATE, which row triggers do not see."""

from django.db import migrations

MESSAGE = "the security log is append-only"
TRIGGERS = {
    "postgresql": (
        [
            f"""CREATE FUNCTION portal_auditlog_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = '23001';
            END $$""",
            """CREATE TRIGGER portal_auditlog_no_update BEFORE UPDATE ON portal_auditlog
            FOR EACH ROW EXECUTE FUNCTION portal_auditlog_append_only()""",
            """CREATE TRIGGER portal_auditlog_no_early_delete BEFORE DELETE ON portal_auditlog
            FOR EACH ROW WHEN (OLD.created_at > now() - interval '180 days')
            EXECUTE FUNCTION portal_auditlog_append_only()""",
        ],
        [
            "DROP TRIGGER portal_auditlog_no_early_delete ON portal_auditlog",
            "DROP TRIGGER portal_auditlog_no_update ON portal_auditlog",
            "DROP FUNCTION portal_auditlog_append_only()",
        ],
    ),
    "sqlite": (
        [
            f"""CREATE TRIGGER portal_auditlog_no_update BEFORE UPDATE ON portal_auditlog
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
        ],
        ["DROP TRIGGER portal_auditlog_no_update"],
    ),
}


def _run(schema_editor, forward: bool):
    add, drop = TRIGGERS.get(schema_editor.connection.vendor, ([], []))
    for statement in add if forward else drop:
        schema_editor.execute(statement)


def add_triggers(apps, schema_editor):
    _run(schema_editor, forward=True)


def drop_triggers(apps, schema_editor):
    _run(schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [("portal", "0005_security_log_and_account_lifecycle")]

    operations = [migrations.RunPython(add_triggers, drop_triggers)]
