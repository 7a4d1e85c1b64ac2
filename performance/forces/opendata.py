"""Open data filters by force, for every dataset with a row per force (see
``performance.publishing.opendata``)."""

from django.db.models import Q
from django.utils.text import slugify

from performance.forces.models import Force
from performance.publishing.opendata import FilterProblem, filter_value


def force_filter(value: str) -> Force:
    """A force by its police.uk id or short name (either case); the id wins if both match."""
    found = Force.objects.filter(Q(police_uk_id__iexact=value) | Q(name__iexact=value))
    best = sorted(found, key=lambda force: force.police_uk_id.lower() != value.lower())
    if not best:
        raise FilterProblem(404, f"No force called {value!r} is held. Use a police.uk id such as norfolk.")
    return best[0]


def for_force_filter(rows, query, filters: dict):
    """``rows`` for the force the query names, if it names one (noting it in ``filters``)."""
    if (value := filter_value(query, "force")) is None:
        return rows
    force = force_filter(value)
    filters["force"] = force.police_uk_id or slugify(force.name)
    return rows.filter(force=force)
