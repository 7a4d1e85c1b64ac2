"""The pages' Last-Modified (and the sitemap's dates) move when public content changes, and only
then: a draft's save, an import record or a waiting revision leaves them as they are."""

import datetime

import pytest

from performance.models import ImportLog, MeasureFigure, ReportingPeriod, SiteSettings
from performance.publishing import gate as publication


def changed_at():
    return SiteSettings.objects.values_list("content_changed_at", flat=True).get()


@pytest.fixture
def settled(demo_data):
    SiteSettings.objects.update(content_changed_at=datetime.datetime(2023, 11, 7, tzinfo=datetime.UTC))
    return changed_at()


def test_a_new_draft_quarter_and_its_figures_leave_the_version_alone(settled, editor):
    with publication.acting_as(editor):
        draft = ReportingPeriod.objects.create(period_end=datetime.date(2023, 9, 30))
        figure = MeasureFigure.objects.filter(period__publish_at__isnull=False).first()
        MeasureFigure.objects.create(period=draft, measure=figure.measure, latest=1, previous=2)
        draft.save()

    assert changed_at() == settled


def test_an_import_record_leaves_the_version_alone(settled):
    ImportLog.objects.create(resource="999 calls", file_name="x.csv", sha256="0" * 64)
    assert changed_at() == settled


def test_a_publishers_change_to_a_published_figure_moves_it(settled, publisher):
    figure = MeasureFigure.objects.filter(period__publish_at__isnull=False).first()
    with publication.acting_as(publisher):
        figure.latest += 1
        figure.save()

    assert changed_at() > settled


def test_withdrawing_a_published_quarter_moves_it(settled, publisher):
    quarter = ReportingPeriod.objects.filter(publish_at__isnull=False).first()
    with publication.acting_as(publisher):
        quarter.publish_at = None
        quarter.save()

    assert changed_at() > settled
