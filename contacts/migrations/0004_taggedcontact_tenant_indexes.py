"""Tag links indexed by sub-account first: (sub_account, tag, contact) and unique (sub_account, contact, tag).

Every statement on the table names the sub-account, which the old (tag, contact) and (contact, tag) indexes
did not hold: each probe went to the heap to check it. Now a tag filter's per-contact probe and the
counting of a tag's contacts are index-only. The single-column foreign-key indexes were prefixes of these.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_hardening'),
        ('contacts', '0003_postgresql_last_conversation_index'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='taggedcontact',
            name='taggedcontact_unique',
        ),
        migrations.RemoveIndex(
            model_name='taggedcontact',
            name='taggedcontact_tag_contact',
        ),
        migrations.AlterField(
            model_name='taggedcontact',
            name='content_object',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='tagged_items', to='contacts.contact'),
        ),
        migrations.AlterField(
            model_name='taggedcontact',
            name='tag',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='tagged_contacts', to='contacts.contacttag'),
        ),
        migrations.AddIndex(
            model_name='taggedcontact',
            index=models.Index(fields=['sub_account', 'tag', 'content_object'], name='taggedcontact_tag_contact'),
        ),
        migrations.AddConstraint(
            model_name='taggedcontact',
            constraint=models.UniqueConstraint(fields=('sub_account', 'content_object', 'tag'), name='taggedcontact_unique'),
        ),
    ]
