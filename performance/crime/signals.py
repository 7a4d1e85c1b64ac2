"""The crime domain's receivers: a new recorded crime open data release recomputes the NCPM
figures (``ncpm``, which connects its receivers when imported) and the ONS headline's year
before (``ons``); populations saved recompute the rates per 1,000 residents of both; a new NCPM
quarter starts with the last quarter's applicability statement (``applicability``, which connects
its receiver when imported); a commissioner's statement's documents count in the pages'
Last-Modified date (``publishing.signals``)."""

from django.db.models.signals import m2m_changed

from performance.crime import applicability, charge_rates, ncpm, ons, recorded_crime  # noqa: F401 - they connect receivers
from performance.crime.models.ncpm import CommissionerStatement
from performance.forces.population import populations_changed
from performance.publishing.signals import links_changed

recorded_crime.recorded_crime_imported.connect(
    ons.recorded_crime_imported_received, dispatch_uid="ons_previous_update"
)
# After ``ncpm``'s receiver (connected first), so that the quarters it adds get their charge rates.
recorded_crime.recorded_crime_imported.connect(
    charge_rates.recorded_crime_imported_received, dispatch_uid="charge_rates_update"
)


def populations_changed_received(sender, **kwargs):
    """Populations were saved or deleted: recompute the rates of every quarter and ONS period.
    Drafts change at once; a published figure's change waits for a Publisher as a revision."""
    ncpm.ncpm_figures_update()
    ons.ons_previous_update()


populations_changed.connect(populations_changed_received, dispatch_uid="rates_recompute")

linked = CommissionerStatement.documents.through
m2m_changed.connect(links_changed, sender=linked, dispatch_uid=f"content_changed_links_{linked.__name__}")
