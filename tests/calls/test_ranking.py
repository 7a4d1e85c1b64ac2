"""999 ranks computed from the national data, as the Police Data page shows them.

calls-national-2023-10.csv (tests/data/good) holds October 2023 for the 43 England and Wales forces,
the Police Service of Northern Ireland and Police Scotland. Its shares under 10 seconds are set so
the ranks are known: Essex 95.0%; Norfolk 92.0% of 10,000 calls and Suffolk 92.0% of 5,000 (tied);
Lincolnshire 85.04% and Wiltshire 84.96% (both published as 85.0%); every other force 84.0% down
to 80.3% in file order; PSNI and Police Scotland 99.0%, fastest but not ranked nationally.
"""

import csv
import datetime
import io
from decimal import Decimal
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from performance.calls.ranking import NATIONAL_MINIMUM_FORCES, months_seen_changing, ranks_recompute
from performance.calls.resources import CallAnswerMonthResource
from performance.imports.resources import SpreadsheetFormat
from performance.models import CallAnswerMonth, CallAnswerRank, Force, ForceGroupMembership, SiteSettings
from performance.publishing.caching import content_version, forget_version
from performance.publishing.opendata import iso
from tests.factories import PUBLISHED, staff
from tests.helpers import DATA, json_document
from tests.html_tables import parse_page

NATIONAL_FILE = DATA / "good" / "calls-national-2023-10.csv"
OCTOBER = datetime.date(2023, 10, 1)
NATIONAL, MSG, REGIONAL = (
    CallAnswerRank.Scope.NATIONAL,
    CallAnswerRank.Scope.MOST_SIMILAR,
    CallAnswerRank.Scope.REGIONAL,
)

RANKS_PER_MONTH = 43 + 8 + 7  # national, Most Similar Group, regional

MSG_RANKS = {
    "Norfolk": (1, True),
    "Suffolk": (1, True),
    "Lincolnshire": (3, False),
    "Wiltshire": (4, False),
    "Devon and Cornwall": (5, False),
    "North Wales": (6, False),
    "North Yorkshire": (7, False),
    "West Mercia": (8, False),
}
REGIONAL_RANKS = {
    "Essex": (1, False),
    "Norfolk": (2, True),
    "Suffolk": (2, True),
    "Bedfordshire": (4, False),
    "Cambridgeshire": (5, False),
    "Hertfordshire": (6, False),
    "Kent": (7, False),
}


def import_national_file():
    dataset = SpreadsheetFormat().create_dataset(NATIONAL_FILE.read_bytes())
    result = CallAnswerMonthResource().import_data(dataset, file_name=NATIONAL_FILE.name)
    assert not result.has_errors() and not result.base_errors
    assert result.totals["new"] == 45
    assert result.release_warnings == []
    return result


def ranks_for(month, scope) -> dict[str, tuple[int, bool]]:
    """The ranks the public sees."""
    return {
        rank.call_month.force.name: (rank.rank, rank.joint)
        for rank in CallAnswerRank.objects.shown()
        .filter(call_month__month=month, scope=scope)
        .select_related("call_month__force")
    }


def out_of(month, scope) -> set:
    return set(
        CallAnswerRank.objects.shown()
        .filter(call_month__month=month, scope=scope)
        .values_list("out_of", flat=True)
    )


def publish_drafts(month):
    """Publish a month's drafts in one statement, which sends no signal, so recompute as an import does."""
    CallAnswerMonth.objects.filter(month=month, publish_at=None).update(publish_at=PUBLISHED)
    ranks_recompute(months=[month])


def file_order() -> list[str]:
    """Short names of the forces in the national file, in file order."""
    by_full_name = dict(Force.objects.values_list("full_name", "name"))
    rows = list(csv.reader(io.StringIO(NATIONAL_FILE.read_text())))
    return [by_full_name[row[0]] for row in rows[1:]]


@pytest.fixture
def national(demo_data):
    """October 2023's national file, imported (as drafts) and published."""
    import_national_file()
    publish_drafts(OCTOBER)


def test_national_ranks_are_among_england_and_wales_forces_only(national):
    names = file_order()
    assert len(names) == len(set(names)) == 45
    kinds = dict(Force.objects.values_list("name", "kind"))
    assert sum(kinds[name] == Force.Kind.TERRITORIAL for name in names) == 43
    assert {name for name in names if kinds[name] != Force.Kind.TERRITORIAL} == {
        "Northern Ireland",
        "Scotland",
    }

    ranks = ranks_for(OCTOBER, NATIONAL)

    assert len(ranks) == 43
    assert out_of(OCTOBER, NATIONAL) == {43}
    assert "Northern Ireland" not in ranks and "Scotland" not in ranks  # 99.0%, but not ranked
    assert not CallAnswerRank.objects.filter(
        call_month__force__kind__in=["northern_ireland", "scotland"]
    ).exists()
    assert {name: ranks[name] for name in ("Essex", "Norfolk", "Suffolk", "Lincolnshire", "Wiltshire")} == {
        "Essex": (1, False),
        "Norfolk": (2, True),  # joint 2nd
        "Suffolk": (2, True),  # the same share of fewer calls
        "Lincolnshire": (4, False),  # no 3rd: the tie takes two places
        "Wiltshire": (5, False),
    }
    set_by_hand = {"Essex", "Norfolk", "Suffolk", "Lincolnshire", "Wiltshire", "Northern Ireland", "Scotland"}
    others = [name for name in file_order() if name not in set_by_hand]  # 84.0% down to 80.3%
    assert [ranks[name] for name in others] == [(position, False) for position in range(6, 44)]
    assert sorted(rank for rank, _ in ranks.values()) == [1, 2, 2, *range(4, 44)]


def test_ranks_use_the_counts_not_the_rounded_percentage(national):
    lincolnshire, wiltshire = (
        CallAnswerMonth.objects.get(force__name=name, month=OCTOBER) for name in ("Lincolnshire", "Wiltshire")
    )
    assert lincolnshire.pct_under_10s == wiltshire.pct_under_10s == Decimal("85.0")
    assert (lincolnshire.calls_under_10s, wiltshire.calls_under_10s) == (8504, 8496)

    assert (lincolnshire.rank_for(NATIONAL).rank, wiltshire.rank_for(NATIONAL).rank) == (4, 5)
    assert (lincolnshire.rank_for(MSG).rank, wiltshire.rank_for(MSG).rank) == (3, 4)
    assert not lincolnshire.rank_for(NATIONAL).joint and not wiltshire.rank_for(NATIONAL).joint


def test_group_ranks_are_among_the_home_force_groups(national):
    assert ranks_for(OCTOBER, MSG) == MSG_RANKS
    assert out_of(OCTOBER, MSG) == {8}
    assert ranks_for(OCTOBER, REGIONAL) == REGIONAL_RANKS
    assert out_of(OCTOBER, REGIONAL) == {7}
    assert set(CallAnswerRank.objects.filter(call_month__month=OCTOBER).values_list("source", flat=True)) == {
        CallAnswerRank.Source.COMPUTED
    }


def test_police_data_page_shows_the_computed_ranks(client, national):
    page = client.get(reverse("performance:police-data")).content.decode()
    table = next(t for t in parse_page(page).tables if t.caption.endswith("999 Call Performance Data (2023)"))

    assert table.row("October 2023") == [
        "October 2023",
        "10,000",
        "7.5",
        "92.0%",
        "7.0%",
        "1.0%",
        "joint 2nd of 43",
        "joint 1st of 8",
        "joint 2nd of 7",
    ]
    assert table.row("September 2023")[6:] == [
        "4th",  # entered as published, without how many were ranked (a note under the table says so)
        "2nd of 8",
        "1st of 7",
    ]
    assert [row[0] for row in table.rows][-2:] == ["September 2023", "October 2023"]


def test_ranks_entered_by_hand_stay_for_months_without_national_data(demo_data):
    def entered():
        return {
            (rank.call_month.month, rank.scope): (rank.rank, rank.joint, rank.out_of)
            for rank in CallAnswerRank.objects.filter(source=CallAnswerRank.Source.ENTERED).select_related(
                "call_month"
            )
        }

    before = entered()
    assert len(before) == 23 * 3
    assert before[(datetime.date(2023, 1, 1), NATIONAL)] == (14, False, None)

    import_national_file()

    assert entered() == before
    assert (
        not CallAnswerRank.objects.filter(source=CallAnswerRank.Source.COMPUTED)
        .exclude(call_month__month=OCTOBER)
        .exists()
    )


def test_ranks_follow_a_change_of_group_membership(national):
    settings = SiteSettings.objects.get()
    msg = settings.most_similar_group

    ForceGroupMembership.objects.get(group=msg, force__name="Wiltshire").delete()

    assert ranks_for(OCTOBER, MSG) == {
        "Norfolk": (1, True),
        "Suffolk": (1, True),
        "Lincolnshire": (3, False),
        "Devon and Cornwall": (4, False),
        "North Wales": (5, False),
        "North Yorkshire": (6, False),
        "West Mercia": (7, False),
    }
    assert out_of(OCTOBER, MSG) == {7}

    ForceGroupMembership.objects.create(group=msg, force=Force.objects.get(name="Essex"))

    msg_ranks = ranks_for(OCTOBER, MSG)
    assert {name: msg_ranks[name] for name in ("Essex", "Norfolk", "Suffolk", "Lincolnshire")} == {
        "Essex": (1, False),
        "Norfolk": (2, True),
        "Suffolk": (2, True),
        "Lincolnshire": (4, False),
    }
    assert out_of(OCTOBER, MSG) == {8}
    assert ranks_for(OCTOBER, REGIONAL) == REGIONAL_RANKS  # the other group is as it was


def test_ranks_follow_an_edited_month(national):
    suffolk = CallAnswerMonth.objects.get(force__name="Suffolk", month=OCTOBER)
    suffolk.calls_under_10s, suffolk.calls_10_to_60s = 4650, 300  # 93.0%
    suffolk.pct_under_10s, suffolk.pct_10_to_60s = Decimal("93.0"), Decimal("6.0")
    suffolk.full_clean()

    suffolk.save()

    national_ranks = ranks_for(OCTOBER, NATIONAL)
    assert {name: national_ranks[name] for name in ("Essex", "Suffolk", "Norfolk", "Lincolnshire")} == {
        "Essex": (1, False),
        "Suffolk": (2, False),
        "Norfolk": (3, False),
        "Lincolnshire": (4, False),
    }
    assert ranks_for(OCTOBER, MSG)["Suffolk"] == (1, False)
    assert ranks_for(OCTOBER, MSG)["Norfolk"] == (2, False)
    assert {name: rank for name, rank in ranks_for(OCTOBER, REGIONAL).items() if rank[0] <= 3} == {
        "Essex": (1, False),
        "Suffolk": (2, False),
        "Norfolk": (3, False),
    }


@pytest.fixture
def editor(django_user_model, db):
    return staff(django_user_model, "Editor")


@pytest.fixture
def publisher(django_user_model, db):
    return staff(django_user_model, "Publisher")


def norfolk_october_form(norfolk: CallAnswerMonth, **values) -> dict:
    """Norfolk's October 2023 in its admin change form as a Publisher sends it. The computed ranks
    are not in the form: the inline holds only ranks entered by hand, none here."""
    return {
        "force": norfolk.force_id,
        "month": "2023-10-01",
        "total_calls": "10000",
        "mean_answer_seconds": "7.5",
        "calls_under_10s": "9200",
        "calls_10_to_60s": "700",
        "calls_60s_and_over": "100",
        "pct_under_10s": "92.0",
        "pct_10_to_60s": "7.0",
        "pct_60s_and_over": "1.0",
        "publish_at_0": "2023-10-19",
        "publish_at_1": "10:30:00",
        "seen_version": str(norfolk.version),
        "ranks-TOTAL_FORMS": "0",
        "ranks-INITIAL_FORMS": "0",
        "ranks-MIN_NUM_FORMS": "0",
        "ranks-MAX_NUM_FORMS": "1000",
        **values,
    }


def test_ranks_follow_a_month_edited_in_the_admin(client, national, publisher):
    client.force_login(publisher)
    norfolk = CallAnswerMonth.objects.get(force__name="Norfolk", month=OCTOBER)
    form = norfolk_october_form(
        norfolk,
        calls_under_10s="9600",  # 96.0%: now first everywhere
        calls_10_to_60s="300",
        pct_under_10s="96.0",
        pct_10_to_60s="3.0",
    )

    response = client.post(reverse("admin:performance_callanswermonth_change", args=[norfolk.pk]), form)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert ranks_for(OCTOBER, NATIONAL)["Norfolk"] == (1, False)
    assert ranks_for(OCTOBER, NATIONAL)["Essex"] == (2, False)
    assert ranks_for(OCTOBER, NATIONAL)["Suffolk"] == (3, False)
    assert ranks_for(OCTOBER, MSG)["Norfolk"] == (1, False)
    assert ranks_for(OCTOBER, REGIONAL)["Norfolk"] == (1, False)
    computed = CallAnswerRank.objects.filter(call_month__month=OCTOBER)
    assert computed.filter(preview=False).count() == computed.filter(preview=True).count() == RANKS_PER_MONTH


# --------------------------------------------------------------------------------------------
# Drafts, scheduled publications and previews
# --------------------------------------------------------------------------------------------

SEPTEMBER = datetime.date(2023, 9, 1)
PUBLISHED_RANKS = [
    "4th",
    "2nd of 8",
    "1st of 7",
]  # Norfolk's September 2023 (national, MSG, regional), as entered
RANKS_BEHIND_EVERY_FORCE = [
    "43rd of 43",
    "8th of 8",
    "7th of 7",
]  # once every other force's faster month counts


def add_other_forces_as_drafts():
    """September 2023 for every other England and Wales force, each answering a bigger share in
    under 10 seconds than Norfolk's 87.1% (88.0% up to 96.2%), written as an import writes a
    release: as drafts, in bulk (sending no signal), then the ranks recomputed once."""
    others = Force.objects.filter(kind=Force.Kind.TERRITORIAL).exclude(name="Norfolk").order_by("name")
    CallAnswerMonth.objects.bulk_create(
        CallAnswerMonth(
            force=force,
            month=SEPTEMBER,
            total_calls=10_000,
            mean_answer_seconds=Decimal("7.0"),
            pct_under_10s=Decimal("88.0") + Decimal(index) / 5,
            pct_10_to_60s=Decimal("11.5") - Decimal(index) / 5,
            pct_60s_and_over=Decimal("0.5"),
        )
        for index, force in enumerate(others)
    )
    ranks_recompute(months=[SEPTEMBER])


def norfolk_ranks(client, **params) -> list[str]:
    """Norfolk's September 2023 ranks in its 999 table on the Police Data page."""
    page = client.get(reverse("performance:police-data"), params).content.decode()
    table = next(t for t in parse_page(page).tables if t.caption.endswith("999 Call Performance Data (2023)"))
    return table.row("September 2023")[6:]


def norfolk_open_data(client) -> dict:
    """Norfolk's September 2023 as open data (JSON), with the dataset's "last revised" time."""
    return json_document(
        client, reverse("performance:data-calls-999-json"), {"force": "norfolk", "month": "2023-09"}
    )


def test_draft_rows_for_other_forces_leave_the_published_ranks_and_the_content_version_alone(
    client, demo_data
):
    version = content_version(fresh=True)
    before = norfolk_open_data(client)

    add_other_forces_as_drafts()

    assert norfolk_ranks(client) == PUBLISHED_RANKS
    after = norfolk_open_data(client)
    assert after == before  # the same ranks, no "out of", the same last revised time
    row = after["rows"][0]
    assert (row["national_rank"], row["national_rank_out_of"], row["rank_source"]) == (4, None, "entered")
    assert content_version(fresh=True) == version


def test_publishing_the_other_forces_changes_the_ranks_the_content_version_and_last_revised(
    client, demo_data, publisher
):
    add_other_forces_as_drafts()
    drafts = list(
        CallAnswerMonth.objects.filter(month=SEPTEMBER, publish_at=None).values_list("pk", flat=True)
    )
    version = content_version(fresh=True)
    before = norfolk_open_data(client)

    client.force_login(publisher)
    response = client.post(
        reverse("admin:performance_callanswermonth_changelist"),
        {"action": "publish_now", "_selected_action": drafts},
    )
    client.logout()

    assert response.status_code == 302
    assert norfolk_ranks(client) == RANKS_BEHIND_EVERY_FORCE
    after = norfolk_open_data(client)
    row = after["rows"][0]
    assert [row[f"{scope}_rank"] for scope in ("national", "msg", "regional")] == [43, 8, 7]
    assert [row[f"{scope}_rank_out_of"] for scope in ("national", "msg", "regional")] == [43, 8, 7]
    assert row["rank_source"] == "computed"
    norfolk = CallAnswerMonth.objects.get(force__name="Norfolk", month=SEPTEMBER)
    assert after["last_revised"] == iso(norfolk.updated_at) > before["last_revised"]
    assert content_version(fresh=True) > version


def test_a_scheduled_publication_changes_the_public_ranks_at_its_time_with_nothing_recomputed(
    client, demo_data
):
    add_other_forces_as_drafts()
    release = timezone.now() + datetime.timedelta(hours=2)
    for month in CallAnswerMonth.objects.filter(month=SEPTEMBER, publish_at=None):
        month.publish_at = release
        month.save()
    stored = list(CallAnswerRank.objects.order_by("pk").values())

    with mock.patch("django.utils.timezone.now", return_value=release - datetime.timedelta(seconds=1)):
        assert norfolk_ranks(client) == PUBLISHED_RANKS
    with mock.patch("django.utils.timezone.now", return_value=release + datetime.timedelta(seconds=1)):
        assert norfolk_ranks(client) == RANKS_BEHIND_EVERY_FORCE
        document = norfolk_open_data(client)

    assert document["rows"][0]["national_rank_out_of"] == 43
    assert document["last_revised"] == iso(release)  # when Norfolk's row changed for the public
    assert list(CallAnswerRank.objects.order_by("pk").values()) == stored  # nothing ran at release time


def test_a_staff_preview_shows_the_would_be_ranks_with_the_drafts(client, demo_data, editor):
    add_other_forces_as_drafts()
    client.force_login(editor)

    assert norfolk_ranks(client, preview="1") == RANKS_BEHIND_EVERY_FORCE
    assert norfolk_ranks(client) == PUBLISHED_RANKS


def test_a_month_counts_as_changed_only_when_the_public_would_see_a_different_rank_now_or_later():
    now = datetime.datetime(2023, 10, 20, 12, tzinfo=datetime.UTC)
    earlier, later = now - datetime.timedelta(days=2), now - datetime.timedelta(days=1)
    scheduled = now + datetime.timedelta(days=1)
    before = [(1, NATIONAL, earlier, 4, False, 43), (1, NATIONAL, scheduled, 5, False, 43)]

    # The same rank, from another time in the past: nothing the public sees changes.
    assert months_seen_changing(before, [(1, NATIONAL, later, 4, False, 43), before[1]], now) == set()
    assert months_seen_changing(before, [before[0], (1, NATIONAL, scheduled, 6, False, 43)], now) == {1}
    assert months_seen_changing(before, [before[0]], now) == {1}  # the scheduled change is gone
    assert months_seen_changing([], [(2, MSG, later, 1, True, 8)], now) == {2}


# --------------------------------------------------------------------------------------------
# Ranks in the admin
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role, published", [("Editor", False), ("Publisher", True)])
def test_a_computed_rank_cannot_be_changed_or_deleted_in_the_admin(
    client, demo_data, django_user_model, role, published
):
    import_national_file()  # drafts, whose content an Editor may otherwise change
    if published:
        publish_drafts(OCTOBER)
    rank = CallAnswerRank.objects.shown(preview=not published).get(
        call_month__force__name="Norfolk", call_month__month=OCTOBER, scope=NATIONAL
    )
    assert rank.source == CallAnswerRank.Source.COMPUTED
    stored = list(CallAnswerRank.objects.order_by("pk").values())
    client.force_login(staff(django_user_model, role))

    change = client.post(
        reverse("admin:performance_callanswerrank_change", args=[rank.pk]),
        {
            "call_month": rank.call_month_id,
            "scope": NATIONAL,
            "rank": "1",
            "out_of": "43",
            "source": "computed",
        },
    )
    delete = client.post(reverse("admin:performance_callanswerrank_delete", args=[rank.pk]), {"post": "yes"})

    assert (change.status_code, delete.status_code) == (403, 403)
    assert list(CallAnswerRank.objects.order_by("pk").values()) == stored


COMPUTED_RANKS_HELD = (
    "This month's ranks are computed from the national data held for it, so none can be entered by hand. "
    "The month shows its computed ranks."
)


def test_a_rank_cannot_be_entered_by_hand_for_a_month_with_computed_ranks(client, national, publisher):
    client.force_login(publisher)
    norfolk = CallAnswerMonth.objects.get(force__name="Norfolk", month=OCTOBER)
    entered = {"scope": NATIONAL, "rank": "1", "out_of": "", "source": "entered"}

    alone = client.post(
        reverse("admin:performance_callanswerrank_add"), {"call_month": norfolk.pk, **entered}
    )
    inline = client.post(
        reverse("admin:performance_callanswermonth_change", args=[norfolk.pk]),
        norfolk_october_form(
            norfolk, **{"ranks-TOTAL_FORMS": "1", **{f"ranks-0-{k}": v for k, v in entered.items()}}
        ),
    )

    assert alone.status_code == inline.status_code == 200
    assert alone.context["adminform"].form.non_field_errors() == [COMPUTED_RANKS_HELD]
    assert inline.context["inline_admin_formsets"][0].formset.forms[0].non_field_errors() == [
        COMPUTED_RANKS_HELD
    ]
    assert not CallAnswerRank.objects.filter(
        call_month=norfolk, source=CallAnswerRank.Source.ENTERED
    ).exists()


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    forget_version()
    yield
    cache.clear()


def test_an_entered_rank_edited_or_deleted_by_a_publisher_shows_to_the_public_at_once(
    client, demo_data, publisher, page_cache
):
    reader = Client()
    assert norfolk_ranks(reader) == PUBLISHED_RANKS  # and now stored for the public
    changed_at = SiteSettings.objects.get().content_changed_at
    rank = CallAnswerRank.objects.get(
        call_month__force__name="Norfolk", call_month__month=SEPTEMBER, scope=NATIONAL
    )

    client.force_login(publisher)
    response = client.post(
        reverse("admin:performance_callanswerrank_change", args=[rank.pk]),
        {"call_month": rank.call_month_id, "scope": NATIONAL, "rank": "3", "out_of": "", "source": "entered"},
    )

    assert response.status_code == 302
    assert SiteSettings.objects.get().content_changed_at > changed_at
    assert norfolk_ranks(reader) == ["3rd", "2nd of 8", "1st of 7"]

    response = client.post(
        reverse("admin:performance_callanswerrank_delete", args=[rank.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert norfolk_ranks(reader) == ["", "2nd of 8", "1st of 7"]


# --------------------------------------------------------------------------------------------
# Queries
# --------------------------------------------------------------------------------------------


def national_months(first: datetime.date, count: int):
    """``count`` months of national data for every force but BTP, by bulk_create (no signals)."""
    forces = list(Force.objects.exclude(kind=Force.Kind.SPECIAL).order_by("pk"))
    months = [
        datetime.date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1)
        for i in range(count)
    ]
    CallAnswerMonth.objects.bulk_create(
        CallAnswerMonth(
            publish_at=PUBLISHED,
            force=force,
            month=month,
            total_calls=10_000,
            mean_answer_seconds=Decimal("7.5"),
            calls_under_10s=8000 + 17 * ((index * 7 + offset) % 45),
            calls_10_to_60s=1900 - 17 * ((index * 7 + offset) % 45),
            calls_60s_and_over=100,
        )
        for offset, month in enumerate(months)
        for index, force in enumerate(forces)
    )
    return months


def test_recompute_runs_the_same_queries_for_2_or_12_national_months(demo_data):
    """Only the final insert may be split, and only where the database limits parameters (SQLite)."""

    def recompute_queries():
        with CaptureQueriesContext(connection) as captured:
            written = ranks_recompute()
        statements = [q["sql"] for q in captured.captured_queries]
        inserts = [sql for sql in statements if sql.startswith("INSERT")]
        return written, len(statements) - len(inserts), len(inserts)

    assert NATIONAL_MINIMUM_FORCES <= 43
    national_months(datetime.date(2024, 1, 1), 2)
    written, other_two, inserts_two = recompute_queries()
    assert written == 2 * 2 * RANKS_PER_MONTH  # the public's ranks and the previews'

    national_months(datetime.date(2024, 3, 1), 10)
    written, other_twelve, inserts_twelve = recompute_queries()
    assert written == 12 * 2 * RANKS_PER_MONTH
    assert other_twelve == other_two
    limit = connection.features.max_query_params
    per_insert = written if limit is None else limit // 8  # eight columns per rank row
    assert inserts_twelve == -(-written // min(per_insert, 5000))
    if connection.vendor == "postgresql":
        assert inserts_twelve == inserts_two == 1


def test_an_entered_rank_carries_the_n_of_its_months_computed_set_or_is_its_position_alone(national):
    # Given October 2023's computed ranks (43 nationally, 8 in the Most Similar Group), and
    # September 2023 with none
    norfolk = Force.objects.get(name="Norfolk")
    resource = CallAnswerMonthResource()
    resource.entered_ranks = {
        (norfolk.pk, OCTOBER): (2, {NATIONAL: (14, False), MSG: (2, True)}),
        (norfolk.pk, SEPTEMBER): (3, {NATIONAL: (5, False)}),
    }

    # When the office's table's ranks are written as entered
    written = resource.entered_ranks_write()

    # Then a rank for a month with computed ranks is "of" as many as they rank; one without says so
    assert sorted((rank.call_month.month, rank.scope, rank.text) for rank in written) == [
        (SEPTEMBER, NATIONAL, "5th"),
        (OCTOBER, MSG, "joint 2nd of 8"),
        (OCTOBER, NATIONAL, "14th of 43"),
    ]


@pytest.mark.parametrize("preview", [False, True])
def test_the_ranks_chosen_from_a_pages_rows_are_the_ones_the_query_chooses(demo_data, preview):
    # Given computed ranks of two times (a scheduled publication), drafts' ranks and ranks entered by hand
    add_other_forces_as_drafts()
    release = timezone.now() + datetime.timedelta(hours=2)
    for month in CallAnswerMonth.objects.filter(month=SEPTEMBER, publish_at=None):
        month.publish_at = release
        month.save()
    for moment in (release - datetime.timedelta(seconds=1), release + datetime.timedelta(seconds=1)):
        with mock.patch("django.utils.timezone.now", return_value=moment):
            # When a page chooses from the candidates it read with its months
            months = CallAnswerMonth.objects.visible(preview=preview).with_ranks(preview=preview)
            chosen = {rank.pk for month in months for rank in month.rank_for_every_scope()}
            # Then it shows exactly the ranks the window query chooses
            by_query = set(
                CallAnswerRank.objects.shown(preview=preview)
                .filter(call_month__in=months)
                .values_list("pk", flat=True)
            )
            assert chosen == by_query
            assert len(chosen) > 3
