"""Documents already in the library stay public; Publishers get the new publish permissions;
computed ranks count from their month's publication (they are recomputed at the next change)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.utils import timezone


def forwards(apps, schema_editor):
    db = schema_editor.connection.alias
    config = apps.get_app_config("performance")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0, using=db)
    config.models_module = None

    Document = apps.get_model("performance", "Document")
    Document.objects.using(db).filter(publish_at=None).update(publish_at=timezone.now())

    CallAnswerRank = apps.get_model("performance", "CallAnswerRank")
    computed = CallAnswerRank.objects.using(db).filter(source="computed")
    computed.filter(call_month__publish_at=None).delete()
    for rank in computed.select_related("call_month"):
        rank.valid_from = rank.call_month.publish_at
        rank.save(update_fields=["valid_from"])

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    performance = Permission.objects.using(db).filter(content_type__app_label="performance")
    publisher = Group.objects.using(db).filter(name="Publisher").first()
    if publisher is not None:
        publisher.permissions.add(*performance.filter(codename__startswith="publish_"))


class Migration(migrations.Migration):
    dependencies = [("performance", "0006_publication_gate")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
