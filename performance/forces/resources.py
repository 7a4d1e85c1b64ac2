"""What the release imports read about forces: a force from the name a file gives it."""

from __future__ import annotations

from performance.forces.models import Force
from performance.imports.spreadsheets import normalise_force_name


class ForceNames:
    def __init__(self):
        self.lookup = Force.objects.name_lookup()

    def get(self, name: str) -> Force:
        force = self.lookup.get(normalise_force_name(name))
        if force is None:
            raise ValueError(
                "is not a force we know. Check the spelling, or add the name as an alias of the force in the admin."
            )
        return force
