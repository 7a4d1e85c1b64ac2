"""The review workflow: an Editor sends a draft for review with a note; Publishers are told (email
and their home); a Publisher publishes it, schedules it or sends it back with a comment; each step
is kept. Publishing from a review is the same publication, through the same gate, as anywhere."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from lxml import html

from performance.calls.models import CallAnswerMonth
from performance.forces.models import Force
from performance.library.models import LibraryPage
from performance.publishing.models import ReviewStep
from tests.factories import PUBLISHED, staff
from tests.helpers import signed_in
from tests.test_authorization_matrix import served_form_data

pytestmark = pytest.mark.django_db


def words(content: bytes, element_id: str = "content-main") -> str:
    return " ".join(html.fromstring(content.decode()).get_element_by_id(element_id).text_content().split())


def url(obj, view: str) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_{view}", args=[obj.pk])


@pytest.fixture
def people(django_user_model):
    editor = staff(django_user_model, "Editor", "sam")
    editor.first_name, editor.last_name, editor.email = "Sam", "Jones", "sam@example.org"
    editor.save()
    publisher = staff(django_user_model, "Publisher", "alex")
    publisher.first_name, publisher.last_name, publisher.email = "Alex", "Khan", "alex@example.org"
    publisher.save()
    silent = staff(django_user_model, "Publisher", "no_email")
    return editor, publisher, silent


@pytest.fixture
def draft_page():
    return LibraryPage.objects.create(slug="annual-report", title="Annual report 2023", summary="The year.")


def submit(client, obj, note: str, capture):
    with capture(execute=True):
        return client.post(url(obj, "submit"), {"note": note})


def decide(client, obj, capture, **data):
    with capture(execute=True):
        return client.post(url(obj, "review"), data)


def test_an_editor_sends_a_draft_for_review_and_the_publishers_are_told(
    people, draft_page, django_capture_on_commit_callbacks
):
    editor, publisher, silent = people
    client = signed_in(editor)
    change = client.get(url(draft_page, "change"))
    assert url(draft_page, "submit") in change.content.decode()
    panel = " ".join(
        html.fromstring(change.content.decode()).find_class("review-panel")[0].text_content().split()
    )
    assert panel.startswith("Review When it is ready, choose “Save and submit for review” below")
    assert 'value="Save and submit for review"' in change.content.decode()

    response = submit(
        client, draft_page, "New intro; please check the figures.", django_capture_on_commit_callbacks
    )

    assert response.status_code == 302 and response.url == reverse("admin:index")
    (step,) = ReviewStep.objects.all()
    assert (step.action, step.user, step.submitter, step.note, step.item) == (
        "submitted",
        editor,
        editor,
        "New intro; please check the figures.",
        draft_page,
    )
    assert [message.to for message in mail.outbox] == [[publisher.email]]  # the one with an address
    assert mail.outbox[0].subject == "For review: Annual report 2023"
    assert "Sam Jones has sent Annual report 2023 for review." in mail.outbox[0].body
    assert "New intro; please check the figures." in mail.outbox[0].body
    assert url(draft_page, "review") in mail.outbox[0].body
    draft_page.refresh_from_db()
    assert draft_page.publish_at is None  # sending for review publishes nothing

    home = signed_in(publisher).get(reverse("admin:index"))
    text = words(home.content)
    assert "Sent to you for review" in text
    assert "Annual report 2023: sent by Sam Jones" in text
    assert "Note: “New intro; please check the figures.”" in text
    assert url(draft_page, "review") in home.content.decode()
    editor_home = words(client.get(reverse("admin:index")).content)
    assert "You sent for review Annual report 2023: waiting for a Publisher" in editor_home
    # Sent once: the draft's page no longer offers to send it again, and a second post adds nothing.
    assert url(draft_page, "submit") not in client.get(url(draft_page, "change")).content.decode()
    submit(client, draft_page, "Again", django_capture_on_commit_callbacks)
    assert ReviewStep.objects.count() == 1


def test_a_publisher_publishes_from_the_review_and_the_editor_is_told(
    people, draft_page, django_capture_on_commit_callbacks
):
    editor, publisher, _ = people
    submit(signed_in(editor), draft_page, "Ready.", django_capture_on_commit_callbacks)
    mail.outbox.clear()
    client = signed_in(publisher)
    page = client.get(url(draft_page, "review"))
    assert page.status_code == 200
    text = words(page.content)
    assert "Sent for review by Sam Jones on" in text and "“Ready.”" in text
    assert f"{draft_page.get_absolute_url()}?preview=1" in page.content.decode()

    response = decide(
        client, draft_page, django_capture_on_commit_callbacks, decision="publish", comment="Thanks."
    )

    assert response.status_code == 302
    draft_page.refresh_from_db()
    assert draft_page.is_published
    assert list(ReviewStep.objects.values_list("action", "user__username", "note")) == [
        ("submitted", "sam", "Ready."),
        ("published", "alex", "Thanks."),
    ]
    assert [message.to for message in mail.outbox] == [[editor.email]]
    assert "Alex Khan has published it: Annual report 2023." in mail.outbox[0].body
    assert "Sent to you for review" not in words(client.get(reverse("admin:index")).content)
    history = words(client.get(url(draft_page, "review")).content)
    assert "Published by Alex Khan on" in history


def test_a_publisher_schedules_from_the_review(people, draft_page, django_capture_on_commit_callbacks):
    editor, publisher, _ = people
    submit(signed_in(editor), draft_page, "", django_capture_on_commit_callbacks)
    client = signed_in(publisher)
    past = decide(
        client,
        draft_page,
        django_capture_on_commit_callbacks,
        decision="schedule",
        publish_at="2020-01-01T09:00",
    )
    assert past.status_code == 200
    assert "Give a date and time in the future" in words(past.content)
    when = timezone.localtime() + datetime.timedelta(days=3)
    response = decide(
        client,
        draft_page,
        django_capture_on_commit_callbacks,
        decision="schedule",
        publish_at=when.strftime("%Y-%m-%dT%H:%M"),
    )
    assert response.status_code == 302
    draft_page.refresh_from_db()
    assert draft_page.publish_at is not None and not draft_page.is_published
    assert draft_page.publish_at.replace(second=0, microsecond=0) == when.replace(second=0, microsecond=0)
    assert ReviewStep.objects.last().action == "scheduled"


def test_a_publisher_sends_a_draft_back_with_a_comment(
    people, draft_page, django_capture_on_commit_callbacks
):
    editor, publisher, _ = people
    editor_client = signed_in(editor)
    submit(editor_client, draft_page, "Ready.", django_capture_on_commit_callbacks)
    mail.outbox.clear()
    client = signed_in(publisher)
    no_comment = decide(
        client, draft_page, django_capture_on_commit_callbacks, decision="send_back", comment=" "
    )
    assert no_comment.status_code == 200
    assert "Say what to change" in words(no_comment.content)
    assert ReviewStep.objects.count() == 1

    decide(
        client,
        draft_page,
        django_capture_on_commit_callbacks,
        decision="send_back",
        comment="Add the 2022 figure.",
    )

    draft_page.refresh_from_db()
    assert draft_page.publish_at is None
    step = ReviewStep.objects.last()
    assert (step.action, step.user, step.submitter, step.note) == (
        "sent_back",
        publisher,
        editor,
        "Add the 2022 figure.",
    )
    assert [message.to for message in mail.outbox] == [[editor.email]]
    assert "Their comment: Add the 2022 figure." in mail.outbox[0].body
    home = words(editor_client.get(reverse("admin:index")).content)
    assert "Sent back to you Annual report 2023: sent back by Alex Khan" in home
    assert "Comment: “Add the 2022 figure.”" in home
    # The Editor changes it and sends it again.
    assert url(draft_page, "submit") in editor_client.get(url(draft_page, "change")).content.decode()
    submit(editor_client, draft_page, "Added.", django_capture_on_commit_callbacks)
    assert "Sent back to you" not in words(editor_client.get(reverse("admin:index")).content)
    assert ReviewStep.objects.waiting().get().note == "Added."


def test_an_editor_cannot_review_and_nobody_sends_published_content_for_review(
    people, draft_page, django_capture_on_commit_callbacks
):
    editor, publisher, _ = people
    editor_client = signed_in(editor)
    assert editor_client.get(url(draft_page, "review")).status_code == 403
    response = decide(editor_client, draft_page, django_capture_on_commit_callbacks, decision="publish")
    assert response.status_code == 403
    draft_page.refresh_from_db()
    assert draft_page.publish_at is None
    published = LibraryPage.objects.create(slug="old", title="Old", summary="Old.", publish_at=PUBLISHED)
    assert editor_client.get(url(published, "submit")).status_code == 403
    assert submit(editor_client, published, "x", django_capture_on_commit_callbacks).status_code == 403
    assert not ReviewStep.objects.exists()
    # A Publisher deciding on something already published changes nothing.
    response = decide(
        signed_in(publisher), published, django_capture_on_commit_callbacks, decision="send_back", comment="x"
    )
    assert response.status_code == 302 and not ReviewStep.objects.exists()


def test_publishing_another_way_closes_the_review(people, draft_page, django_capture_on_commit_callbacks):
    editor, publisher, _ = people
    submit(signed_in(editor), draft_page, "Ready.", django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(publisher).post(
            reverse("admin:performance_librarypage_changelist"),
            {"action": "publish_now", "_selected_action": [draft_page.pk]},
        )
    draft_page.refresh_from_db()
    assert draft_page.is_published
    assert ReviewStep.objects.last().action == "published"
    assert not ReviewStep.objects.waiting().exists()


def test_a_999_month_is_reviewed_and_published_for_every_force(
    demo_data, people, django_capture_on_commit_callbacks
):
    editor, publisher, _ = people
    home_row = CallAnswerMonth.objects.order_by("-month").first()
    newest = home_row.month
    for force in Force.objects.exclude(pk=home_row.force_id)[:2]:
        CallAnswerMonth.objects.create(
            force=force,
            month=newest,
            total_calls=5000,
            mean_answer_seconds=6,
            pct_under_10s=91,
            pct_10_to_60s=8,
            pct_60s_and_over=1,
        )
    CallAnswerMonth.objects.filter(month=newest).update(publish_at=None)
    forces = CallAnswerMonth.objects.filter(month=newest).count()
    assert forces > 1
    home_row.refresh_from_db()
    submit(signed_in(editor), home_row, "", django_capture_on_commit_callbacks)
    assert ReviewStep.objects.get().item_name == (
        f"999 calls, {newest:%B %Y}: {home_row.force} and {forces - 1} other forces"
    )
    page = signed_in(publisher).get(url(home_row, "review"))
    assert f"Publishing it publishes all {forces} items that go with it." in words(page.content)
    data = {"decision": "publish"}
    if page.context["form"].reason_needed:
        data["publication_reason"] = "Checked."
    decide(signed_in(publisher), home_row, django_capture_on_commit_callbacks, **data)
    assert not CallAnswerMonth.objects.filter(month=newest, publish_at=None).exists()


def test_the_review_queue_lists_what_each_person_waits_for(
    people, draft_page, django_capture_on_commit_callbacks
):
    editor, publisher, _ = people
    submit(signed_in(editor), draft_page, "Ready.", django_capture_on_commit_callbacks)
    queue = reverse("admin:review_queue")
    assert "Annual report 2023: sent by Sam Jones" in words(signed_in(publisher).get(queue).content)
    assert "Annual report 2023: waiting for a Publisher" in words(signed_in(editor).get(queue).content)
    anonymous = signed_in(editor).__class__().get(queue)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous.url


def test_the_review_queue_reads_a_constant_number_of_queries(
    people, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    editor, publisher, _ = people
    client = signed_in(publisher)
    first = LibraryPage.objects.create(slug="p0", title="Page 0", summary="x")
    submit(signed_in(editor), first, "", django_capture_on_commit_callbacks)
    with django_assert_max_num_queries(40) as few:
        assert client.get(reverse("admin:review_queue")).status_code == 200
    one_waiting = len(few.captured_queries)  # read now: each later request empties the log
    editor_client = signed_in(editor)
    for number in range(1, 12):
        page = LibraryPage.objects.create(slug=f"p{number}", title=f"Page {number}", summary="x")
        submit(editor_client, page, "", django_capture_on_commit_callbacks)
    with django_assert_max_num_queries(one_waiting):
        response = client.get(reverse("admin:review_queue"))
    assert "Page 11: sent by Sam Jones" in words(response.content)


def test_save_and_send_for_review_saves_then_asks_for_the_note(people, draft_page):
    editor, _, _ = people
    client = signed_in(editor)
    change = client.get(url(draft_page, "change"))
    assert 'name="_send_for_review"' in change.content.decode()
    data = {
        **served_form_data(change),
        "title": "Annual report 2023 (revised)",
        "_send_for_review": "Save and submit for review",
    }
    response = client.post(url(draft_page, "change"), data)
    assert response.status_code == 302, words(response.content) if response.status_code == 200 else ""
    assert response.url == url(draft_page, "submit")
    draft_page.refresh_from_db()
    assert draft_page.title == "Annual report 2023 (revised)"
    assert not ReviewStep.objects.exists()  # sent only once the note page is confirmed
