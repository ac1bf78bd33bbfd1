"""Issue 17: API tokens become django-rest-knox tokens (digest only, expiring) in ApiToken;
pending email changes. DRF's authtoken leaves INSTALLED_APPS: its table is dropped with the
plain keys in it (every client signs in again for a new token)."""

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


def drop_authtoken_table(apps, schema_editor):
    connection = schema_editor.connection
    if "authtoken_token" in connection.introspection.table_names():
        schema_editor.execute("DROP TABLE authtoken_token")


class Migration(migrations.Migration):

    dependencies = [
        ('accounts_app', '0006_user_api_password_confirmed_at'),
    ]

    operations = [
        migrations.CreateModel(
            name='ApiToken',
            fields=[
                ('digest', models.CharField(max_length=128, primary_key=True, serialize=False)),
                ('token_key', models.CharField(db_index=True, max_length=25)),
                ('created', models.DateTimeField(auto_now_add=True)),
                ('expiry', models.DateTimeField(blank=True, null=True)),
                ('second_factor', models.BooleanField(default=False, help_text='The token was issued after a TOTP or recovery code (staff).', verbose_name='second factor passed')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='auth_token_set', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'API token',
                'verbose_name_plural': 'API tokens',
            },
        ),
        migrations.CreateModel(
            name='EmailChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('public_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('old_email', models.EmailField(max_length=254, verbose_name='old email address')),
                ('new_email', models.EmailField(max_length=254, verbose_name='new email address')),
                ('channel', models.CharField(max_length=16, verbose_name='channel')),
                ('requested_at', models.DateTimeField(verbose_name='requested at')),
                ('confirmed_at', models.DateTimeField(blank=True, null=True, verbose_name='confirmed at')),
                ('undone_at', models.DateTimeField(blank=True, null=True, verbose_name='undone at')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='email_changes', to=settings.AUTH_USER_MODEL, verbose_name='user')),
            ],
            options={
                'verbose_name': 'email change',
                'verbose_name_plural': 'email changes',
                'ordering': ['-requested_at'],
            },
        ),
        migrations.RunPython(drop_authtoken_table, migrations.RunPython.noop),
    ]
