"""The office as data: the accountable person's title comes from the site settings, so that an
office led by a mayor (or a Police, Fire and Crime Commissioner) reads right on every public page,
in the feed and in a new statement's heading, and the demo office reads as it always has."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from performance.models import CommissionerStatement, Force, PriorityArea, ReportingPeriod, SiteSettings
from tests.factories import PUBLISHED, staff
from tests.helpers import signed_in
from tests.test_authorization_matrix import served_form_data

JUNE = datetime.date(2023, 6, 30)
GLOSSARY = "Each Police and Crime Commissioner publishes how their force is doing against them every quarter."


def test_the_demo_office_is_led_by_a_police_and_crime_commissioner(client, demo_data):
    settings = SiteSettings.objects.get()
    assert (settings.holder_title, settings.holder_short_title) == (
        "Police and Crime Commissioner",
        "Commissioner",
    )
    assert settings.statement_title == "The Commissioner's statement"
    assert GLOSSARY in client.get(reverse("performance:police-data")).content.decode()


def test_a_new_statement_is_headed_with_the_short_title(demo_data, django_user_model):
    SiteSettings.objects.update(holder_title="Police, Fire and Crime Commissioner", holder_short_title="PFCC")
    client = signed_in(staff(django_user_model, "Editor"))
    page = client.get(reverse("admin:performance_commissionerstatement_add"))
    assert page.context["adminform"].form.initial["title"] == "The PFCC's statement"


@pytest.fixture
def mayoral_office(db):
    """An office led by a mayor, with a published quarter (its figures are not needed here)."""
    force = Force.objects.create(
        name="Greater Example", full_name="Greater Example Police", ons_code="E23000099"
    )
    SiteSettings.objects.create(
        office_name="Office of the Mayor of Greater Example",
        holder_title="Mayor",
        holder_short_title="Mayor",
        home_force=force,
    )
    PriorityArea.objects.create(name="Reduce Serious Violence", order=1)
    return ReportingPeriod.objects.create(period_end=JUNE)


def test_an_office_led_by_a_mayor_says_mayor_and_never_commissioner(
    client, mayoral_office, django_user_model
):
    quarter = mayoral_office
    # The Editor writes the statement on the quarter's form, its heading as offered.
    editor = signed_in(staff(django_user_model, "Editor"))
    url = reverse("admin:performance_reportingperiod_change", args=[quarter.pk])
    form = editor.get(url)
    data = served_form_data(form)
    statement = next(
        inline.formset
        for inline in form.context["inline_admin_formsets"]
        if inline.formset.model is CommissionerStatement
    )
    assert (
        statement.forms[0].initial.get("title", statement.forms[0]["title"].value())
        == "The Mayor's statement"
    )
    data[f"{statement.forms[0].prefix}-body"] = "<p>Violence fell.</p>"
    assert editor.post(url, {**data, "_continue": "Save"}).status_code == 302
    assert CommissionerStatement.objects.get(period=quarter).title == "The Mayor's statement"
    ReportingPeriod.objects.filter(pk=quarter.pk).update(publish_at=PUBLISHED)

    pages = {
        "Police Data": client.get(reverse("performance:police-data")).content.decode(),
        "quarter": client.get(quarter.get_absolute_url()).content.decode(),
        "feed": client.get(reverse("performance:feed")).content.decode(),
    }

    for name, page in pages.items():
        assert "Mayor" in page, name
        assert "Commissioner" not in page, name
    assert "Each Mayor publishes how their force is doing against them every quarter." in pages["Police Data"]
    assert "The Mayor&#x27;s statement</h2>" in pages["quarter"]
    entries = ET.fromstring(pages["feed"]).findall("{http://www.w3.org/2005/Atom}entry")
    summaries = [entry.findtext("{http://www.w3.org/2005/Atom}summary") for entry in entries]
    assert any(summary.endswith("with the Mayor&#x27;s statement on them.") for summary in summaries), (
        summaries
    )
