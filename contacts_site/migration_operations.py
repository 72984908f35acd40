"""Migration operations shared by the apps."""

from django.db import migrations


def postgresql_indexes(table: str, indexes: dict[str, str], *, extensions: tuple[str, ...] = ()):
    """A RunPython that builds `indexes` ({name: definition}) on `table` CONCURRENTLY on PostgreSQL,
    and does nothing on other engines. Kept out of Model.Meta so the migration state stays portable;
    the migration using it must set `atomic = False` (CONCURRENTLY cannot run in a transaction)."""

    def create(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for extension in extensions:
            schema_editor.execute(f"CREATE EXTENSION IF NOT EXISTS {extension}")
        for name, definition in indexes.items():
            schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} {definition}")

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name in indexes:
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")

    return migrations.RunPython(create, drop, elidable=False)
