from django.db import migrations


def backfill(apps, schema_editor):
    """Contacts written before the keys existed get theirs (later writes keep them)."""
    from contacts.identities import match_keys_rebuild

    match_keys_rebuild(
        contact_model=apps.get_model("contacts", "Contact"),
        identity_model=apps.get_model("contacts", "ContactIdentity"),
        key_model=apps.get_model("contacts", "ContactMatchKey"),
    )


class Migration(migrations.Migration):
    dependencies = [("contacts", "0010_identity_identities_match_keys_tombstones")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
