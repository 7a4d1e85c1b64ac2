"""Keep computed 999 ranks, and the pages' Last-Modified date, in step with the content."""

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .caching import forget_version
from .models import (
    CallAnswerMonth,
    CallAnswerRank,
    CommissionerStatement,
    ForceGroupMembership,
    ImportLog,
    ImportUpload,
    LibraryPage,
    Offence,
    OffenceCount,
    SiteSettings,
)
from .ranking import ranks_are_deferred, ranks_recompute


@receiver([post_save, post_delete], sender=CallAnswerMonth)
def call_month_changed(sender, instance, **kwargs):
    if not ranks_are_deferred() and not kwargs.get("raw"):
        ranks_recompute(months=[instance.month])


@receiver([post_save, post_delete], sender=ForceGroupMembership)
@receiver(post_save, sender=SiteSettings)
def groups_changed(sender, **kwargs):
    if not ranks_are_deferred() and not kwargs.get("raw"):
        ranks_recompute()


def content_changed(sender, **kwargs):
    """Any change to published content moves the pages' Last-Modified date (and their ETag)."""
    if not ranks_are_deferred() and not kwargs.get("raw"):
        SiteSettings.content_changed()
        forget_version()


# Connected model by model: a receiver for every sender would stop Django's fast bulk deletes.
for model in apps.get_app_config("performance").get_models():
    # Ranks and the open data's counts are written in bulk, which sends no signal; their
    # writers move the version themselves.
    if model not in (SiteSettings, ImportLog, CallAnswerRank, Offence, OffenceCount, ImportUpload):
        post_save.connect(
            content_changed, sender=model, dispatch_uid=f"content_changed_save_{model.__name__}"
        )
        post_delete.connect(
            content_changed, sender=model, dispatch_uid=f"content_changed_delete_{model.__name__}"
        )

# A rank saved on its own is one entered by hand (the recomputation writes in bulk, which sends no
# signal, and moves the version itself when a public rank changes). No delete receiver: it would
# stop the recomputation's fast bulk delete; the admin notes a deleted rank itself.
post_save.connect(content_changed, sender=CallAnswerRank, dispatch_uid="content_changed_save_CallAnswerRank")


def links_changed(sender, action, **kwargs):
    """Documents linked to or unlinked from a page or a statement change what the page shows."""
    if action in ("post_add", "post_remove", "post_clear"):
        content_changed(sender, **kwargs)


for linked in (LibraryPage.documents.through, CommissionerStatement.documents.through):
    m2m_changed.connect(links_changed, sender=linked, dispatch_uid=f"content_changed_links_{linked.__name__}")
