"""Who may change what the public sees: the one rule every write to content passes.

Each piece of content has a *publication*: the object whose "published from" time decides when
it is public. A quarter, 999 month, ONS period, library page or document is its own; a figure or
commentary belongs to its quarter, a section to its page, an ONS figure to its period, a rank to
its month. Forces, groups, site settings, reporting channels, measure definitions and priority
areas have no draft state: they are public as soon as they are saved.

The rule: an Editor (with the model's add, change or delete permission) may write content only
while its publication is a draft, both as it is stored and as the write would leave it. Anything
published or scheduled, before or after the write, and anything with no draft state needs a
Publisher: the publish permission of the publication's model.

What the public reads follows from this: every public page, feed, sitemap and open-data file is
built from published rows (a publication whose "published from" time has come, its children, and
the content that is public as soon as it is saved), or from values the system computed into a
draft or a waiting revision that a Publisher then published (NCPM figures and comparisons, the
ONS headline's year before, 999 ranks from published months). Nothing public is computed at
render time from the tables that are not content: the recorded crime open data (``Offence``,
``OffenceCount``), import records (``ImportLog``, ``ImportUpload``, ``ColumnMapping``) and
waiting revisions (``MeasureFigureRevision``, ``RecordedCrimeRevision``). A test renders every
public address before and after a write to each of those tables and each import, as an Editor and
as the system, and requires the same bytes.

Each model declares its place itself (``publication = Publication.own()``, ``.parent("period")``,
``.always_public()`` or ``.not_content("why")``: ``performance.publishing.models.Publication``),
and the registry below (``DRAFTABLE``, ``PARENT``, ``ALWAYS_PUBLIC``, ``GATED``) is built from
those declarations, so this module names no domain's models. A model of the app that declares
nothing fails the system checks (``performance.E001``).

Every path asks here: the admin's permission methods (``may_write``) so that forms, inlines,
actions and history show only what may be done; the model signals (``assert_may_write``) so
that any save or delete made for a signed-in user, a history revert included, is refused unless
allowed; and the imports (``import_refusals``), whose bulk writes send no signals. Writes made
outside a request (management commands, migrations, the demo loader) act for the system.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterable

from django.apps import apps
from django.core import checks
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from simple_history.models import HistoricalChanges

from performance.publishing.models import Publication

APP = "performance"


def app_models(app_config) -> list[type]:
    """The app's models, by name, without the history kept of them (simple-history's models)."""
    models = (model for model in app_config.get_models() if not issubclass(model, HistoricalChanges))
    return sorted(models, key=lambda model: model.__name__)


def declared(kind: str) -> list[type]:
    """The app's models whose declaration is ``kind`` (by name). Built once the models are loaded:
    this module is imported from the app's ready() and after it, never by a models module."""
    return [
        model
        for model in app_models(apps.get_app_config(APP))
        if isinstance(getattr(model, "publication", None), Publication) and model.publication.kind == kind
    ]


# The registry, from the models' declarations (see ``Publication``).
DRAFTABLE = tuple(declared("own"))  # a publication of its own: Publishable
PARENT = {model: model.publication.parent_field for model in declared("parent")}  # its publication's field
ALWAYS_PUBLIC = tuple(declared("always_public"))  # no draft state: Publisher only
GATED = (*DRAFTABLE, *PARENT, *ALWAYS_PUBLIC)

REFUSED = "Only a Publisher can change content that is published or scheduled, or that the public sees as soon as it is saved."


class _System:
    """The actor for writes made outside any request: commands, migrations, the demo loader."""

    is_authenticated = True

    def has_perm(self, perm: str) -> bool:
        return True

    def __str__(self):
        return "system"


SYSTEM = _System()
_actor: contextvars.ContextVar = contextvars.ContextVar("publication_actor", default=SYSTEM)


@contextlib.contextmanager
def acting_as(user):
    """Writes inside this block are made for ``user`` (a request's user, an import's user)."""
    token = _actor.set(user)
    try:
        yield
    finally:
        _actor.reset(token)


class ActingUserMiddleware:
    """Every write made while serving a request is made for that request's user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting_as(_RequestUser(request)):
            return self.get_response(request)


class _RequestUser:
    """The request's user, looked up only if a write asks (authentication runs later in the stack)."""

    def __init__(self, request):
        self.request = request

    def __getattr__(self, name):
        user = getattr(self.request, "user", None)
        if user is None:
            from django.contrib.auth.models import AnonymousUser

            user = AnonymousUser()
        return getattr(user, name)


def publication_model(model) -> type | None:
    """The model whose publish permission governs ``model`` (None: not content)."""
    if issubclass(model, DRAFTABLE) or issubclass(model, ALWAYS_PUBLIC):
        return model
    if model in PARENT:
        return model._meta.get_field(PARENT[model]).related_model
    return None


def publish_permission(model) -> str:
    return f"performance.publish_{publication_model(model)._meta.model_name}"


def can_publish(user, model) -> bool:
    """May ``user`` change ``model``'s published content (and publish, withdraw, schedule)?"""
    return publication_model(model) is not None and user.has_perm(publish_permission(model))


def is_draft(obj) -> bool:
    """Is ``obj``, as it is in memory, part of a draft (its own or its parent's)?"""
    if isinstance(obj, ALWAYS_PUBLIC):
        return False
    if type(obj) in PARENT:
        field = obj._meta.get_field(PARENT[type(obj)])
        if getattr(obj, field.attname) is None:
            return True  # not attached yet: its parent decides when it is saved
        obj = getattr(obj, PARENT[type(obj)])
    return obj.publish_at is None


def stored_is_draft(obj) -> bool:
    """Is ``obj`` part of a draft as the database holds it now (one query)?"""
    if isinstance(obj, ALWAYS_PUBLIC):
        return False
    path = f"{PARENT[type(obj)]}__publish_at" if type(obj) in PARENT else "publish_at"
    stored = type(obj)._default_manager.filter(pk=obj.pk).values_list(path, flat=True)
    return not stored or stored[0] is None


def may_write(user, obj, action: str) -> bool:
    """May ``user`` add, change or delete ``obj`` as it is in memory (the admin's question)?

    For "add" with a parent attached (an inline on its quarter), the parent decides."""
    model = type(obj)
    if not user.has_perm(f"{model._meta.app_label}.{action}_{model._meta.model_name}"):
        return False
    if publication_model(model) is None:
        return True  # not content (e.g. populations): the model's own permissions decide
    return can_publish(user, model) or is_draft(obj)


def assert_may_write(obj, action: str, user=None) -> None:
    """Refuse (PermissionDenied) a write that the acting user may not make: checked against the
    object as it would be saved and as it is stored."""
    user = user or _actor.get()
    if not may_write(user, obj, action):
        raise PermissionDenied(REFUSED)
    if (
        action != "add"
        and obj.pk is not None
        and not can_publish(user, type(obj))
        and not stored_is_draft(obj)
    ):
        raise PermissionDenied(REFUSED)


def import_refusals(user, instances: Iterable) -> list:
    """The rows of an import that ``user`` may not write (new rows in a published period, changes
    to published rows), checked in memory without a query per row."""
    refused = []
    for instance in instances:
        action = "add" if instance.pk is None else "change"
        if not may_write(user, instance, action):
            refused.append(instance)
    return refused


def gate_signals() -> None:
    """Connect the gate to every gated model's saves and deletes, but not to the deletes of a
    model declared ``deletes_gated_in_admin_only`` (a rank: the recomputation deletes and writes
    computed ranks in bulk, from published months only, whoever's change set it off)."""
    from django.db.models.signals import pre_delete, pre_save

    def before_save(sender, instance, raw=False, **kwargs):
        if not raw:
            assert_may_write(instance, "add" if instance._state.adding else "change")

    def before_delete(sender, instance, **kwargs):
        assert_may_write(instance, "delete")

    for model in GATED:
        pre_save.connect(before_save, sender=model, weak=False, dispatch_uid=f"gate_save_{model.__name__}")
        if model.publication.deletes_gated_in_admin_only:
            continue
        pre_delete.connect(
            before_delete, sender=model, weak=False, dispatch_uid=f"gate_delete_{model.__name__}"
        )


@checks.register(checks.Tags.models)
def check_publication_declarations(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Every model of the app declares its place under the gate (``performance.E001``), and a
    model published with its parent names a foreign key to a model with a publication of its own
    (``performance.E002``)."""
    if app_configs is None:
        app_configs = [apps.get_app_config(APP)]
    errors = []
    for app_config in app_configs:
        if app_config.label != APP:
            continue
        for model in app_models(app_config):
            declaration = getattr(model, "publication", None)
            if not isinstance(declaration, Publication):
                errors.append(
                    checks.Error(
                        f"{model.__name__} does not declare its place under the publication gate.",
                        hint="Give the model a class attribute from performance.publishing.models: "
                        'publication = Publication.own(), Publication.parent("<foreign key>"), '
                        'Publication.always_public() or Publication.not_content("why …").',
                        obj=model,
                        id="performance.E001",
                    )
                )
            elif declaration.kind == "parent" and not _names_a_publication(model, declaration.parent_field):
                errors.append(
                    checks.Error(
                        f"{model.__name__} is declared Publication.parent({declaration.parent_field!r}), "
                        "which is not a foreign key to a model with a publication of its own.",
                        hint="Name the foreign key to the model declared Publication.own().",
                        obj=model,
                        id="performance.E002",
                    )
                )
    return errors


def _names_a_publication(model, field_name: str) -> bool:
    try:
        field = model._meta.get_field(field_name)
    except FieldDoesNotExist:
        return False
    related = getattr(field, "related_model", None)
    return (
        (field.many_to_one or field.one_to_one)
        and isinstance(related, type)
        and getattr(getattr(related, "publication", None), "kind", None) == "own"
    )
