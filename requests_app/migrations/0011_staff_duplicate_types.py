# Issue 19 item 5 (helper "staff"): inquiries are never duplicates; the partial unique
# constraints cover only requests_app.models.DUPLICATE_CHECKED_TYPES.

import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('requests_app', '0010_reference_sequence'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='datasubjectrequest',
            name='dsr_one_open_per_subject_type',
        ),
        migrations.RemoveConstraint(
            model_name='datasubjectrequest',
            name='dsr_one_open_per_email_type',
        ),
        migrations.AddConstraint(
            model_name='datasubjectrequest',
            constraint=models.UniqueConstraint(condition=models.Q(('status__in', ('awaiting_verification', 'received', 'in_review')), ('subject__isnull', False), ('type__in', ('disclosure', 'correction', 'deletion', 'stop_use', 'stop_provision', 'purpose_notice'))), fields=('subject', 'type'), name='dsr_one_open_per_subject_type'),
        ),
        migrations.AddConstraint(
            model_name='datasubjectrequest',
            constraint=models.UniqueConstraint(django.db.models.functions.text.Lower('subject_email'), models.F('type'), condition=models.Q(('status__in', ('awaiting_verification', 'received', 'in_review')), ('subject__isnull', True), ('type__in', ('disclosure', 'correction', 'deletion', 'stop_use', 'stop_provision', 'purpose_notice'))), name='dsr_one_open_per_email_type'),
        ),
    ]
