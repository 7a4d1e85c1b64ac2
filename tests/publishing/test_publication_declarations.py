"""Every model declares its place under the publication gate (``Publication``), and the gate's
registry is built from those declarations: the registry is what the models mean, and a model that
declares nothing fails the system checks."""

import pytest
from django.apps import apps
from django.core import checks
from django.db import models
from django.db.models.signals import pre_delete
from django.test.utils import isolate_apps
from simple_history.models import HistoricalChanges

from performance.models import (
    CallAnswerMonth,
    CallAnswerRank,
    ChargeRateFigure,
    ColumnMapping,
    CommissionerStatement,
    Document,
    DocumentCategory,
    Force,
    ForceAlias,
    ForceGroup,
    ForceGroupMembership,
    ForcePopulation,
    ImportJob,
    ImportLog,
    ImportUpload,
    LibraryPage,
    Measure,
    MeasureFigure,
    MeasureFigureRevision,
    Meeting,
    Offence,
    OffenceCount,
    OutcomeCount,
    PageSection,
    PriorityApplicability,
    PriorityArea,
    PriorityAreaCommentary,
    Publishable,
    RecordedCrimeFigure,
    RecordedCrimePeriod,
    RecordedCrimeRevision,
    ReportingChannel,
    ReportingPeriod,
    RequiredItem,
    ReviewStep,
    SiteSettings,
)
from performance.publishing import gate as publication
from performance.publishing.models import Publication

# What each model means, written out (not read from the declarations).
OWN = {CallAnswerMonth, ReportingPeriod, RecordedCrimePeriod, LibraryPage, Document, Meeting}
PARENT = {
    MeasureFigure: "period",
    ChargeRateFigure: "period",
    CommissionerStatement: "period",
    PriorityAreaCommentary: "period",
    PriorityApplicability: "period",
    RecordedCrimeFigure: "period",
    PageSection: "page",
    CallAnswerRank: "call_month",
}
ALWAYS_PUBLIC = {
    Force,
    ForceAlias,
    ForceGroup,
    ForceGroupMembership,
    SiteSettings,
    ReportingChannel,
    Measure,
    PriorityArea,
    DocumentCategory,
    RequiredItem,
}
NOT_CONTENT = {
    Offence,
    OffenceCount,
    OutcomeCount,
    ColumnMapping,
    ImportUpload,
    ImportLog,
    ImportJob,
    MeasureFigureRevision,
    RecordedCrimeRevision,
    ReviewStep,
    ForcePopulation,  # residents per force area: only the rates computed from them are published
}


def test_the_gates_registry_is_what_the_models_mean():
    assert set(publication.DRAFTABLE) == OWN
    assert publication.PARENT == PARENT
    assert set(publication.ALWAYS_PUBLIC) == ALWAYS_PUBLIC
    assert set(publication.GATED) == OWN | set(PARENT) | ALWAYS_PUBLIC
    assert len(publication.GATED) == len(set(publication.GATED))


def test_the_registry_is_in_a_fixed_order_by_model_name():
    for group in (publication.DRAFTABLE, list(publication.PARENT), publication.ALWAYS_PUBLIC):
        names = [model.__name__ for model in group]
        assert names == sorted(names)


def test_every_model_of_the_app_is_in_one_place_and_the_rest_is_not_content():
    models_of_the_app = {
        model
        for model in apps.get_app_config("performance").get_models()
        if not issubclass(model, HistoricalChanges)
    }
    assert models_of_the_app == OWN | set(PARENT) | ALWAYS_PUBLIC | NOT_CONTENT
    assert {model for model in models_of_the_app if model.publication.kind == "not_content"} == NOT_CONTENT
    assert all(publication.publication_model(model) is None for model in NOT_CONTENT)


def test_publishable_declares_its_own_publication_for_its_subclasses():
    assert Publishable.publication == Publication.own()
    assert all(issubclass(model, Publishable) for model in OWN)


def test_only_a_ranks_deletes_are_gated_in_the_admin_only():
    assert {model for model in publication.GATED if model.publication.deletes_gated_in_admin_only} == {
        CallAnswerRank
    }
    delete_receivers = {key[0] for key, *_ in pre_delete.receivers}
    assert "gate_delete_CallAnswerRank" not in delete_receivers
    assert {
        f"gate_delete_{model.__name__}" for model in publication.GATED if model is not CallAnswerRank
    } <= (delete_receivers)


def test_the_apps_models_pass_the_check_and_the_check_is_registered():
    assert publication.check_publication_declarations() == []
    assert publication.check_publication_declarations in checks.registry.registry.get_checks()
    assert checks.run_checks(tags=[checks.Tags.models]) == []


def test_a_model_that_declares_nothing_fails_the_check():
    with isolate_apps("performance") as isolated:

        class Bulletin(models.Model):  # noqa: DJ008 (never saved or shown)
            class Meta:
                app_label = "performance"

        errors = publication.check_publication_declarations(
            app_configs=[isolated.get_app_config("performance")]
        )

    assert [(error.id, error.obj) for error in errors] == [("performance.E001", Bulletin)]
    assert errors[0].level == checks.ERROR
    assert "Bulletin does not declare its place under the publication gate" in errors[0].msg
    assert "publication = Publication.own()" in errors[0].hint
    assert "Publication.not_content(" in errors[0].hint


def test_declared_models_pass_the_check():
    with isolate_apps("performance") as isolated:

        class Bulletin(Publishable):  # noqa: DJ008 (own, from Publishable)
            class Meta:
                app_label = "performance"

        class BulletinItem(models.Model):  # noqa: DJ008
            bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE)
            publication = Publication.parent("bulletin")

            class Meta:
                app_label = "performance"

        class Notice(models.Model):  # noqa: DJ008
            publication = Publication.always_public()

            class Meta:
                app_label = "performance"

        class Tally(models.Model):  # noqa: DJ008
            publication = Publication.not_content("a count the public never reads")

            class Meta:
                app_label = "performance"

        app_config = isolated.get_app_config("performance")
        assert {model.__name__ for model in app_config.get_models()} == {
            "Bulletin",
            "BulletinItem",
            "Notice",
            "Tally",
        }
        assert publication.check_publication_declarations(app_configs=[app_config]) == []


def test_a_parent_that_is_not_a_foreign_key_to_a_publication_fails_the_check():
    with isolate_apps("performance") as isolated:

        class Notice(models.Model):  # noqa: DJ008
            publication = Publication.always_public()

            class Meta:
                app_label = "performance"

        class NoticeItem(models.Model):  # noqa: DJ008 (its parent has no publication of its own)
            notice = models.ForeignKey(Notice, on_delete=models.CASCADE)
            publication = Publication.parent("notice")

            class Meta:
                app_label = "performance"

        class Stray(models.Model):  # noqa: DJ008 (no such field)
            publication = Publication.parent("period")

            class Meta:
                app_label = "performance"

        errors = publication.check_publication_declarations(
            app_configs=[isolated.get_app_config("performance")]
        )

    assert sorted((error.id, error.obj.__name__) for error in errors) == [
        ("performance.E002", "NoticeItem"),
        ("performance.E002", "Stray"),
    ]


def test_a_model_says_why_it_is_not_content():
    with pytest.raises(ValueError, match="Say why"):
        Publication.not_content("  ")
