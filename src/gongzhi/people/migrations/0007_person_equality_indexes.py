"""Person's digests and phone tail: the same unique constraint and indexes, declared in Meta, so that PostgreSQL
loses the three varchar_pattern_ops ("_like") indexes Django adds for a CharField's unique / db_index (every lookup
on these columns is by equality or ends-with, which such an index cannot serve). The new ones are built before the
old ones are dropped, so uniqueness holds throughout."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0001_initial'),
        ('people', '0006_person_pinyin_unindexed'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='person',
            index=models.Index(fields=['phone_digest'], name='people_phone_digest'),
        ),
        migrations.AddIndex(
            model_name='person',
            index=models.Index(fields=['phone_tail'], name='people_phone_tail'),
        ),
        migrations.AddConstraint(
            model_name='person',
            constraint=models.UniqueConstraint(fields=('id_number_digest',), name='people_id_number_digest_unique'),
        ),
        migrations.AlterField(
            model_name='person',
            name='id_number_digest',
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.AlterField(
            model_name='person',
            name='phone_digest',
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name='person',
            name='phone_tail',
            field=models.CharField(blank=True, editable=False, max_length=4),
        ),
    ]
