"""Keep the pages' Last-Modified date in step with the content.

A public change to any gated model (``gate.GATED``) moves the content version (``caching``). This
module knows no domain: each domain's ``signals`` module, imported by the app's ready() before
``connect_receivers`` runs, connects its own receivers and tells this one what it must know of
its models:

- ``note_changes_with``: what notes a change to public content (the site settings' row);
- ``deferred_while``: when changes are not noted write by write (during an import, which notes
  its change once at the end);
- ``connected_by_domain``: gated models whose writes are not connected here model by model (the
  settings note their change themselves; ranks are written in bulk).
"""

from collections.abc import Callable

from django.db.models.signals import post_delete, post_save, pre_save

from performance.publishing import gate as publication
from performance.publishing.caching import forget_version

_notes: list[Callable[[], None]] = []
_deferrals: list[Callable[[], bool]] = []
_connected_by_domain: set[type] = set()


def note_changes_with(note: Callable[[], None]) -> None:
    """``note()`` records that public content changed now (called on every public change)."""
    _notes.append(note)


def deferred_while(is_deferred: Callable[[], bool]) -> None:
    """While ``is_deferred()``, writes note no change: their writer notes it once at the end."""
    _deferrals.append(is_deferred)


def connected_by_domain(*models: type) -> None:
    """``connect_receivers`` leaves these gated models alone: their domain connects what they need."""
    _connected_by_domain.update(models)


def changes_deferred() -> bool:
    return any(is_deferred() for is_deferred in _deferrals)


def note_change() -> None:
    for note in _notes:
        note()


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
    if changes_deferred() or kwargs.get("raw"):
        return
    if instance is not None and not is_public_change(instance):
        return
    note_change()
    forget_version()


def links_changed(sender, action, **kwargs):
    """Documents linked to or unlinked from a page or a statement change what the page shows
    (connected by each domain to its links' ``through`` model)."""
    if action in ("post_add", "post_remove", "post_clear"):
        content_changed(sender, **kwargs)  # the page's or statement's own state decides


def connect_receivers() -> None:
    """Connect the receivers to every gated model's writes (the app's ready(), once the domains'
    ``signals`` modules have told this one about their models)."""
    # Connected model by model: a receiver for every sender would stop Django's fast bulk deletes.
    for model in publication.GATED:
        if model in _connected_by_domain:
            continue
        post_save.connect(
            content_changed, sender=model, dispatch_uid=f"content_changed_save_{model.__name__}"
        )
        post_delete.connect(
            content_changed, sender=model, dispatch_uid=f"content_changed_delete_{model.__name__}"
        )

    for model in (*publication.DRAFTABLE, *publication.PARENT):
        pre_save.connect(
            public_before_save, sender=model, dispatch_uid=f"public_before_save_{model.__name__}"
        )
