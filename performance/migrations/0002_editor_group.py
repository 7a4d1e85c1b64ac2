"""The "Editor" group: staff who maintain the performance content without being superusers."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Editor"
ACTIONS = ("add", "change", "delete", "view")


def create_editor_group(apps, schema_editor):
    # On a fresh database permissions are only created after migrate (post_migrate), so make
    # this app's content types and permissions now.
    app_config = apps.get_app_config("performance")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = [
        f"{action}_{model._meta.model_name}" for model in app_config.get_models() for action in ACTIONS
    ]
    db = schema_editor.connection.alias
    permissions = Permission.objects.using(db).filter(
        content_type__app_label="performance", codename__in=codenames
    )
    group, _ = Group.objects.using(db).get_or_create(name=GROUP_NAME)
    group.permissions.add(*permissions)


def delete_editor_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("performance", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_editor_group, delete_editor_group),
    ]
