"""The staff roles: Editor (enters, imports and drafts; cannot publish), Publisher (also publishes,
withdraws and schedules) and Site administrator (manages staff accounts)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CONTENT_ACTIONS = ("add", "change", "delete", "view")
NOT_EDITED = {"importlog"}  # written by imports only: staff may view it
PUBLISH = "publish_"


def role_permissions(apps, schema_editor):
    db = schema_editor.connection.alias
    # On a fresh database permissions only appear after migrate (post_migrate): make them now.
    for label in ("auth", "performance"):
        config = apps.get_app_config(label)
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0, using=db)
        config.models_module = None
    app_config = apps.get_app_config("performance")

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    performance = Permission.objects.using(db).filter(content_type__app_label="performance")
    models = [
        model._meta.model_name
        for model in app_config.get_models()
        if not model._meta.model_name.startswith("historical")
    ]
    editor_codenames = {
        f"{action}_{model}"
        for model in models
        for action in (("view",) if model in NOT_EDITED else CONTENT_ACTIONS)
    } | set(performance.filter(codename__regex=r"^(import|export)_").values_list("codename", flat=True))
    view_history = {f"view_{model}" for model in app_config.get_models() if model._meta.model_name.startswith("historical")}
    editor = performance.filter(codename__in=editor_codenames | view_history)
    publish = performance.filter(codename__startswith=PUBLISH)

    group, _ = Group.objects.using(db).get_or_create(name="Editor")
    group.permissions.set(editor)
    group, _ = Group.objects.using(db).get_or_create(name="Publisher")
    group.permissions.set([*editor, *publish])
    group, _ = Group.objects.using(db).get_or_create(name="Site administrator")
    group.permissions.set(
        Permission.objects.using(db).filter(
            content_type__app_label="auth", content_type__model__in=["user", "group"]
        )
    )


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name__in=["Publisher", "Site administrator"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("performance", "0003_history_publication_versions"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(role_permissions, remove_roles)]
