"""The app's packages, and how each joins the app: by modules of agreed names.

Each package under ``performance/`` holds one domain (a dataset and everything about it) or a
layer the domains share. A package joins the app's registries by having modules of these names,
each of which registers what it holds when it is imported:

- ``models``: its models, each declaring its place under the publication gate
  (``publishing.models.Publication``); Django finds them through ``performance.models``;
- ``admin``: its staff pages (``admin.register``);
- ``resources``: its release imports (``imports.resources.release_registered``);
- ``checks``: what a Publisher is shown before publishing (``publishing.checks.checks_for``);
- ``signals``: its receivers, and what the publishing layer must know of its models
  (``publishing.signals``);
- ``opendata``: its open data files (``publishing.opendata.register``).

A new dataset is a new package listed in ``PACKAGES`` (docs/adding-a-dataset.md).
"""

from importlib import import_module
from importlib.util import find_spec

PACKAGES = ("publishing", "imports", "forces", "calls", "crime", "library", "site")
JOINING = ("models", "admin", "resources", "checks", "signals", "opendata")


def discover(module: str) -> list:
    """Import ``performance.<package>.<module>`` for every package that has one, in order."""
    assert module in JOINING, module
    found = []
    for package in PACKAGES:
        name = f"performance.{package}.{module}"
        if find_spec(name) is not None:
            found.append(import_module(name))
    return found
