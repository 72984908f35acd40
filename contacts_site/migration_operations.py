"""Migration operations shared by the apps."""

from django.db import migrations


def postgresql_indexes(
    table: str, indexes: dict[str, str], *, extensions: tuple[str, ...] = (), replaces: dict[str, str] | None = None
):
    """A RunPython that builds `indexes` ({name: definition}) on `table` CONCURRENTLY on PostgreSQL,
    then drops the indexes they `replace` (rebuilt on reverse), and does nothing on other engines.
    Kept out of Model.Meta so the migration state stays portable; the migration using it must set
    `atomic = False` (CONCURRENTLY cannot run in a transaction)."""
    replaces = replaces or {}

    def build(schema_editor, built: dict[str, str], dropped: dict[str, str]):
        if schema_editor.connection.vendor != "postgresql":
            return
        for extension in extensions:
            schema_editor.execute(f"CREATE EXTENSION IF NOT EXISTS {extension}")
        # New indexes first: the queries they serve are never left without one.
        for name, definition in built.items():
            schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} {definition}")
        for name in dropped:
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")

    return migrations.RunPython(
        lambda apps, schema_editor: build(schema_editor, indexes, replaces),
        lambda apps, schema_editor: build(schema_editor, replaces, indexes),
        elidable=False,
    )
