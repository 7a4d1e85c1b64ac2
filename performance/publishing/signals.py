"""Keep computed 999 ranks, and the pages' Last-Modified date, in step with the content."""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from performance.calls.models import CallAnswerMonth, CallAnswerRank
from performance.calls.ranking import ranks_are_deferred, ranks_recompute
from performance.crime.models.ncpm import CommissionerStatement
from performance.forces.models import ForceGroupMembership, SiteSettings
from performance.library.models import LibraryPage
from performance.publishing import gate as publication
from performance.publishing.caching import forget_version


@receiver([post_save, post_delete], sender=CallAnswerMonth)
def call_month_changed(sender, instance, **kwargs):
    if not ranks_are_deferred() and not kwargs.get("raw"):
        ranks_recompute(months=[instance.month])


@receiver([post_save, post_delete], sender=ForceGroupMembership)
@receiver(post_save, sender=SiteSettings)
def groups_changed(sender, **kwargs):
    if not ranks_are_deferred() and not kwargs.get("raw"):
        ranks_recompute()


def public_before_save(sender, instance, raw=False, **kwargs):
    """Note whether a draftable row, or a child of one, is public as stored before it is saved: a
    withdrawal (published to draft) changes what the public sees, though the row is then a draft."""
    if raw or instance.pk is None or instance._state.adding or not publication.is_draft(instance):
        instance._stored_public = False  # new, or public in memory already: no need to ask
        return
    instance._stored_public = not publication.stored_is_draft(instance)


def is_public_change(instance) -> bool:
    """Could writing ``instance`` change what the public sees? Content that is public as soon as
    it is saved, and anything published or scheduled before or after the write, can; a draft
    (its own or its parent's) and what is not content at all (history rows, import records,
    column choices, waiting revisions, the open data) cannot."""
    if not isinstance(instance, publication.GATED):
        return False
    return not publication.is_draft(instance) or getattr(instance, "_stored_public", False)


def content_changed(sender, instance=None, **kwargs):
    """A change to public content moves the pages' Last-Modified date (and their ETag). A change
    to a draft does not: the public pages, and the sitemap's dates, stay as they are."""
    if ranks_are_deferred() or kwargs.get("raw"):
        return
    if instance is not None and not is_public_change(instance):
        return
    SiteSettings.content_changed()
    forget_version()


# Connected model by model: a receiver for every sender would stop Django's fast bulk deletes.
for model in publication.GATED:
    if model in (SiteSettings, CallAnswerRank):
        # The settings note the change themselves; ranks are written in bulk, which sends no
        # signal, and their writer moves the version itself (a hand-entered rank: below).
        continue
    post_save.connect(content_changed, sender=model, dispatch_uid=f"content_changed_save_{model.__name__}")
    post_delete.connect(
        content_changed, sender=model, dispatch_uid=f"content_changed_delete_{model.__name__}"
    )


@receiver(post_save, sender=SiteSettings)
def settings_saved(sender, **kwargs):
    """The settings note the change themselves (``content_changed_at``): read it afresh."""
    forget_version()


for model in (*publication.DRAFTABLE, *publication.PARENT):
    pre_save.connect(public_before_save, sender=model, dispatch_uid=f"public_before_save_{model.__name__}")

# A rank saved on its own is one entered by hand (the recomputation writes in bulk, which sends no
# signal, and moves the version itself when a public rank changes). No delete receiver: it would
# stop the recomputation's fast bulk delete; the admin notes a deleted rank itself.
post_save.connect(content_changed, sender=CallAnswerRank, dispatch_uid="content_changed_save_CallAnswerRank")


def links_changed(sender, action, **kwargs):
    """Documents linked to or unlinked from a page or a statement change what the page shows."""
    if action in ("post_add", "post_remove", "post_clear"):
        content_changed(sender, **kwargs)  # the page's or statement's own state decides


for linked in (LibraryPage.documents.through, CommissionerStatement.documents.through):
    m2m_changed.connect(links_changed, sender=linked, dispatch_uid=f"content_changed_links_{linked.__name__}")
