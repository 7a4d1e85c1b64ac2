"""What a confirmed import did, in staff's words, and what the person who imported it does next.

Each release's resource records its outcome when the import commits (``ReleaseResource.outcome``,
stored on the ``ImportLog``), as plain data that can be read again later:

``{"publication": "performance.callanswermonth", "changed": true,
   "sections": [{"one": "new draft 999 month", "many": "new draft 999 months",
                 "items": [{"text": "Norfolk (home force), September 2023", "admin": "performance_callanswermonth", "pk": 7}]}],
   "drafts": [...items...], "revisions": [...items...]}``

An item names the admin page it links to (its change page), never a URL, so links follow the
admin wherever it is served. ``result_sections`` and ``next_steps`` turn it into the page's
words: the result page of each release, and the recorded crime open data's job page, read the
same next step from here. The import framework knows no dataset: the datasets' resources word
their own items.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.urls import NoReverseMatch, reverse

from performance.publishing import gate as publication
from performance.shared import calculations

SHOWN = 200  # items listed in one section; the rest are counted


@dataclass(frozen=True)
class Link:
    text: str
    url: str = ""


@dataclass(frozen=True)
class Section:
    heading: str
    items: list[Link]
    more: int = 0  # items not listed

    @property
    def more_text(self) -> str:
        return f"… and {counted(self.more, 'more', 'more')}." if self.more else ""


@dataclass(frozen=True)
class Step:
    text: str
    links: list[Link] = field(default_factory=list)


def counted(count: int, one: str, many: str) -> str:
    """A count and its noun, the count with thousands separators.

    >>> counted(1, "new draft 999 month", "new draft 999 months")
    '1 new draft 999 month'
    >>> counted(1204, "figure", "figures")
    '1,204 figures'
    """
    return f"{calculations.thousands(count)} {one if count == 1 else many}"


def upper_first(text: str) -> str:
    """
    >>> upper_first("1 NCPM quarter changed")
    '1 NCPM quarter changed'
    """
    return text[:1].upper() + text[1:]


def item(obj, text: str) -> dict:
    """One thing an import created or changed, linked to its admin change page."""
    return {"text": text, "admin": f"{obj._meta.app_label}_{obj._meta.model_name}", "pk": obj.pk}


def section(one: str, many: str, items: list[dict]) -> dict:
    return {"one": one, "many": many, "items": items}


def outcome_made(
    *, publication_model, sections: list[dict], drafts: list[dict], revisions: list[dict]
) -> dict:
    """The outcome an import records: ``sections`` of what it created and changed, the drafts it
    created or changed (which wait to be checked and published) and the revisions waiting for a
    Publisher on published content it touched."""
    return {
        "publication": publication_model._meta.label_lower,
        "changed": any(entry["items"] for entry in sections),
        "sections": [entry for entry in sections if entry["items"]],
        "drafts": drafts,
        "revisions": revisions,
    }


def link_of(entry: dict) -> Link:
    """An item as a link to its change page (no link if its admin is gone)."""
    try:
        url = reverse(f"admin:{entry['admin']}_change", args=[entry["pk"]])
    except NoReverseMatch:
        url = ""
    return Link(entry["text"], url)


def unique_links(entries: list[dict]) -> list[Link]:
    """Links to the pages ``entries`` name, each page once."""
    seen, links = set(), []
    for entry in entries:
        link = link_of(entry)
        if link.url not in seen:
            seen.add(link.url)
            links.append(link)
    return links


def result_sections(outcome: dict) -> list[Section]:
    """What the result page lists: each kind of thing the import created or changed, headed
    with how many ("3 new draft 999 months"), each with a link to its page."""
    return [
        Section(
            heading=upper_first(counted(len(entry["items"]), entry["one"], entry["many"])),
            items=[link_of(found) for found in entry["items"][:SHOWN]],
            more=max(len(entry["items"]) - SHOWN, 0),
        )
        for entry in outcome.get("sections", [])
    ]


def publication_model_of(outcome: dict):
    try:
        return apps.get_model(outcome["publication"])
    except (KeyError, LookupError):
        return None


def drafts_url(model) -> str:
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist") + "?publication=draft"


def next_steps(outcome: dict, user) -> list[Step]:
    """What ``user`` does next after the import ``outcome`` records: an Editor checks each draft
    and submits it for review; a Publisher reviews and publishes the drafts, and publishes again
    the published content with revisions waiting. An import that changed nothing says so."""
    if not outcome.get("changed"):
        return [
            Step(
                "Nothing was imported: every row of the file is already held with the same figures. "
                "Nothing changed, and there is nothing to check or publish."
            )
        ]
    model = publication_model_of(outcome)
    publisher = model is not None and publication.can_publish(user, model)
    drafts, revisions = outcome.get("drafts", []), outcome.get("revisions", [])
    steps = []
    if drafts and publisher:
        steps.append(
            Step(
                f"Review and publish the {'draft' if len(drafts) == 1 else counted(len(drafts), 'draft', 'drafts')}"
                f" this import created or changed.",
                [Link("Review and publish the drafts", drafts_url(model))],
            )
        )
    elif drafts:
        which = "the draft" if len(drafts) == 1 else f"each of the {counted(len(drafts), 'draft', 'drafts')}"
        steps.append(
            Step(
                f'Open {which}, check its figures, then choose "Save and submit for review" on its page, so a '
                "Publisher can publish it.",
                unique_links(drafts),
            )
        )
    if revisions:
        waiting = counted(len(revisions), "revision waits", "revisions wait")
        steps.append(
            Step(
                f"{waiting} on published figures: open the published page and publish it again to apply them."
                if publisher
                else f"{waiting} on published figures for a Publisher: they are applied when a "
                "Publisher publishes the page again. There is nothing for you to do on them.",
                unique_links(revisions),
            )
        )
    if not steps:
        steps.append(
            Step(
                "The changes are already public: nothing waits to be checked or published."
                if publisher
                else "Nothing waits to be checked or published."
            )
        )
    return steps
