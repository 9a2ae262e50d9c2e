"""On PostgreSQL the database itself refuses to change or delete an audit event.

A trigger raises on UPDATE and DELETE of `audit_auditevent` for every role the application
connects as, superusers included. The one UPDATE it lets through is the one Django issues
when a user is deleted (`actor` set to NULL, every other column unchanged): the recorded
`actor_id_ref` keeps who it was. Deployments that want more also make the table's owner a
separate role and grant the application role only SELECT and INSERT (docs/security.md).

SQLite, the embedded development default, has no session-level way to let the test
database be flushed past such a trigger, so it relies on the HMAC chain alone.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

COLUMNS = (
    "id",
    "at",
    "actor_id_ref",
    "actor_label",
    "action",
    "target_type",
    "target_id",
    "enterprise_id_ref",
    "jurisdiction_id_ref",
    "reason",
    "detail",
    "prev_digest",
    "digest",
)
NEW = ", ".join(f"NEW.{c}" for c in COLUMNS)
OLD = ", ".join(f"OLD.{c}" for c in COLUMNS)

CREATE = f"""
CREATE OR REPLACE FUNCTION parkguard_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL AND ROW({NEW}) IS NOT DISTINCT FROM ROW({OLD}) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '审计记录只可追加，不可修改或删除' USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION parkguard_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS audit_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS parkguard_audit_append_only();
"""


def _run(sql: str) -> Any:
    def apply(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_keyed_chain_and_head")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP), elidable=False)]
