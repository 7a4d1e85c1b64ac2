"""What the release imports read about forces: a force from the name a file gives it."""

from __future__ import annotations

from performance.forces.models import Force, ForceAlias
from performance.imports.spreadsheets import normalise_force_name
from performance.publishing import gate as publication


def alias_addable(user) -> bool:
    """Whether the person importing may add another name for a force, as the admin decides it
    (an alias is public as soon as saved, so a Publisher may and an Editor may not). From the
    command line, with no one signed in, the instruction is for whoever runs it."""
    if user is None:
        return True
    add = f"{ForceAlias._meta.app_label}.add_{ForceAlias._meta.model_name}"
    return user.has_perm(add) and publication.can_publish(user, ForceAlias)


def unknown_force_text(name: str, *, can_add_alias: bool = True) -> str:
    """What a file's row is told when its force's name is not one we know: to add the name as an
    alias, or, for someone who may not, whom to ask and where.

    >>> unknown_force_text("Narfolk Constabulary")
    'is not a force we know. Check the spelling, or add the name as an alias of the force in the admin.'
    >>> unknown_force_text("Narfolk Constabulary", can_add_alias=False)
    "is not a force we know. Check the spelling, or ask a Publisher to add 'Narfolk Constabulary' as a name for a force (Office settings › Force aliases)."
    """
    if can_add_alias:
        return "is not a force we know. Check the spelling, or add the name as an alias of the force in the admin."
    return (
        f"is not a force we know. Check the spelling, or ask a Publisher to add '{name}' as a name "
        "for a force (Office settings › Force aliases)."
    )


class ForceNames:
    def __init__(self, *, can_add_alias: bool = True):
        self.lookup = Force.objects.name_lookup()
        self.can_add_alias = can_add_alias

    def get(self, name: str) -> Force:
        force = self.lookup.get(normalise_force_name(name))
        if force is None:
            raise ValueError(unknown_force_text(name, can_add_alias=self.can_add_alias))
        return force
