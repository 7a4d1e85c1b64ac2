"""The 999 import's preview leads with the home force (Norfolk in the demo data): its figures
against the target, its would-be national rank among the file's forces, the change on the month
before; its row is marked and listed first; months missing since the newest held month are
warned of; problems come before the form and the table; and the unknown-force message says
what the person importing can do."""

import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from performance.models import Force
from tests.factories import staff
from tests.helpers import signed_in, upload

IMPORT = "admin:performance_callanswermonth_import"
HEADINGS = (
    "Force,Month,Total calls,Mean answer time (seconds),% of calls answered in under 10 seconds,"
    "% of calls answered in 10 to under 60 seconds,% of calls answered in 60 seconds and over"
)


@pytest.fixture
def publisher(demo_data, django_user_model) -> Client:
    return signed_in(staff(django_user_model, "Publisher"))


@pytest.fixture
def editor(demo_data, django_user_model) -> Client:
    return signed_in(staff(django_user_model, "Editor"))


def text_of(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def preview(client: Client, text: str):
    return upload(client, reverse(IMPORT), text, "999.csv", format="0")


def national_file(month: str, norfolk_share: str = "88.0") -> tuple[str, dict[str, str]]:
    """Every territorial force's row for ``month``, Norfolk's in the middle of the file; the
    others' shares step down from 95.0 by 0.3. Returns the file and each force's share."""
    names = sorted(Force.objects.filter(kind=Force.Kind.TERRITORIAL).values_list("name", flat=True))
    others = [name for name in names if name != "Norfolk"]
    shares = {name: f"{95 - 0.3 * i:.1f}" for i, name in enumerate(others)}
    shares["Norfolk"] = norfolk_share
    lines = [HEADINGS]
    for name in names:
        share = shares[name]
        calls = 11000 if name == "Norfolk" else 5000
        lines.append(f"{name},{month},{calls},7.0,{share},{99.5 - float(share):.1f},0.5")
    return "\r\n".join(lines) + "\r\n", shares


def test_the_preview_leads_with_the_home_forces_figures_rank_and_change(publisher):
    data, shares = national_file("2023-10")
    above = sum(float(share) > 88.0 for name, share in shares.items() if name != "Norfolk")
    assert (above, len(shares)) == (24, 43)

    response = preview(publisher, data)

    assert response.context["result"].release_summary == [
        "Norfolk, October 2023: 11,000 calls; 88.0% answered in under 10 seconds, "
        "2 percentage points below the 90% target.",
        "On the file's figures for October 2023, Norfolk would rank 25th of 43 forces in England and Wales.",
        "Change on September 2023: calls a 5% decrease (11,628 to 11,000); answered in under 10 seconds "
        "0.9 percentage points above (87.1% to 88.0%).",
    ]
    text = text_of(response)
    assert "The home force in this file Norfolk, October 2023: 11,000 calls;" in text
    assert response.context["result"].release_warnings == []  # October follows the newest held month


def test_a_tie_is_a_joint_rank_as_the_published_ranks_are(publisher):
    data, shares = national_file("2023-10", norfolk_share="95.0")  # level with the first force
    summary = preview(publisher, data).context["result"].release_summary
    assert summary[1] == (
        "On the file's figures for October 2023, Norfolk would rank joint 1st of 43 forces in England and Wales."
    )


def test_the_home_forces_row_is_marked_and_listed_first(publisher):
    data, _ = national_file("2023-10")
    assert (
        data.splitlines().index(next(line for line in data.splitlines() if line.startswith("Norfolk,"))) > 20
    )

    response = preview(publisher, data)

    rows = response.context["preview_rows"]
    assert rows[0][1][0] == "Norfolk" and rows[0][0].instance.preview_tag == "Home force"
    assert [cells[0] for _, cells in rows].count("Norfolk") == 1
    assert not any(getattr(row.instance, "preview_tag", "") for row, _ in rows[1:])
    page = response.content.decode()
    body = page[page.index("<tbody>", page.index('class="import-preview"')) :]
    first_row = body[: body.index("</tr>")]
    assert '<strong class="import-tag">Home force</strong>' in first_row and "<td>Norfolk</td>" in first_row


def test_months_missing_since_the_newest_held_month_are_warned_of(publisher):
    data = f"{HEADINGS}\r\nNorfolk,2024-01,11000,7.0,88.0,11.5,0.5\r\n"

    response = preview(publisher, data)

    result = response.context["result"]
    assert result.release_warnings == [
        "No 999 figures are held for October 2023 to December 2023 for Norfolk: import them too, "
        "or the public chart will show a gap."
    ]
    assert result.release_summary[1:] == [
        "The file has figures for 1 force in England and Wales for January 2024: too few for a national "
        "rank (ranks need 30).",
        "No figures are held for December 2023 to compare with.",
    ]


def test_the_month_after_the_newest_held_month_is_not_warned_of(publisher):
    data = f"{HEADINGS}\r\nNorfolk,2023-10,11000,7.0,88.0,11.5,0.5\r\n"
    assert preview(publisher, data).context["result"].release_warnings == []


def test_warnings_come_before_the_confirm_button_and_the_table(publisher):
    data = f"{HEADINGS}\r\nNorfolk,2024-01,11000,7.0,88.0,11.5,0.5\r\n"
    page = preview(publisher, data).content.decode()
    summary = page.index("The home force in this file")
    warnings = page.index("Check these before you confirm")
    assert summary < warnings < page.index('value="Confirm import"') < page.index('class="import-preview"')


def test_problems_come_before_the_upload_form(editor):
    data = f"{HEADINGS}\r\nNarfolk Constabulary,2023-10,11000,7.0,88.0,11.5,0.5\r\n"
    page = preview(editor, data).content.decode()
    problems = page.index("The file was not imported: nothing has changed")
    assert problems < page.index('import-problems"') < page.index('name="import_file"')
    assert problems < page.index("The columns the file needs")


def test_an_editor_is_told_to_ask_a_publisher_to_add_an_unknown_force_name(editor):
    data = f"{HEADINGS}\r\nNarfolk Constabulary,2023-10,11000,7.0,88.0,11.5,0.5\r\n"
    text = text_of(preview(editor, data))
    assert (
        '"Narfolk Constabulary" is not a force we know. Check the spelling, or ask a Publisher to add '
        "'Narfolk Constabulary' as a name for a force (Office settings › Force aliases)." in text
    )
    assert "add the name as an alias" not in text


def test_a_publisher_is_told_to_add_the_alias(publisher):
    data = f"{HEADINGS}\r\nNarfolk Constabulary,2023-10,11000,7.0,88.0,11.5,0.5\r\n"
    text = text_of(preview(publisher, data))
    assert (
        '"Narfolk Constabulary" is not a force we know. Check the spelling, or add the name as an alias '
        "of the force in the admin." in text
    )
    assert "ask a Publisher" not in text


def test_the_summary_names_a_home_force_missing_from_the_file(publisher):
    data = f"{HEADINGS}\r\nSuffolk,2023-10,9000,7.0,88.0,11.5,0.5\r\n"
    assert preview(publisher, data).context["result"].release_summary == [
        "The file has no rows for Norfolk, the home force."
    ]
