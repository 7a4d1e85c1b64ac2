"""Rich text staff write (the Commissioner's statement, commentaries, definitions, page text): edited
in the admin with a small ProseMirror editor, kept as HTML and cleaned with nh3 to one allow-list,
both when it is saved and when a page shows it.

The allow-list is what the editor can make (paragraphs, headings at levels 3 and 4 only, so staff
text cannot break a page's heading order, bold, italics, lists, links and quotes) plus what older
text may already hold (abbreviations, a list's start number, a link's title, phone links).
"""

import re
from functools import lru_cache

import nh3
from django import forms
from django_prose_editor.fields import ProseEditorField, ProseEditorFormField
from js_asset import Media

TAGS = {"p", "br", "strong", "b", "em", "i", "ul", "ol", "li", "a", "h3", "h4", "blockquote", "abbr"}
ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

# What the editor offers. Links: no "open in a new tab"; addresses on the web, e-mail, or the site's own.
EDITOR_EXTENSIONS = {
    "Heading": {"levels": [3, 4]},
    "Bold": True,
    "Italic": True,
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HardBreak": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
}

# The end of each rich text field's help text, in staff's words.
KEPT = (
    "Use the toolbar or the keyboard (Ctrl+B bold, Ctrl+I italics): headings, bold, italics, lists, "
    "quotes and links are kept; anything else, such as pasted colours or fonts, is removed."
)

_EMPTY = re.compile(r"^\s*(<p>\s*(<br>)?\s*</p>\s*)*$")


def cleaned_html(html: str) -> str:
    """``html`` with only paragraphs, headings (levels 3 and 4), emphasis, lists, quotes and links
    (http, https, mailto, tel and the site's own addresses) left; scripts, styles, event handlers and
    other tags removed. An editor's empty paragraph is nothing.

    >>> cleaned_html('<p onclick="x()">Crime <b>fell</b>.<script>alert(1)</script></p>')
    '<p>Crime <b>fell</b>.</p>'
    >>> cleaned_html('<a href="javascript:alert(1)">x</a> <a href="/document-library/">y</a>')
    '<a rel="noopener noreferrer">x</a> <a href="/document-library/" rel="noopener noreferrer">y</a>'
    >>> cleaned_html('<h2>Too high</h2><h3 style="color:red">Kept</h3><img src=x onerror=alert(1)>')
    'Too high<h3>Kept</h3>'
    >>> cleaned_html('<p></p>')
    ''
    """
    html = nh3.clean(
        html or "",
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
    return "" if _EMPTY.match(html) else html


@lru_cache(maxsize=1024)
def safe_rich_text(html: str) -> str:
    """:func:`cleaned_html`, cached: pages show the same texts again and again."""
    return cleaned_html(html)


class RichTextFormField(ProseEditorFormField):
    def has_changed(self, initial, data):
        # The editor turns an untouched empty box into "<p></p>": that is no change (an empty extra
        # inline stays empty rather than being checked as a new row).
        return cleaned_html(initial or "") != cleaned_html(data or "")


class RichTextField(ProseEditorField):
    """A text field edited with the prose editor and cleaned by :func:`cleaned_html` on every save,
    whether from a form, an import or code. Stored as a plain text column."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("extensions", dict(EDITOR_EXTENSIONS))
        kwargs["sanitize"] = cleaned_html
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        value = cleaned_html(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": RichTextFormField, "sanitize": cleaned_html} | kwargs)


def with_csp_nonce(media, request):
    """``media`` with the page's CSP nonce on its tags when it holds the editor's import map: that map
    is an inline script, which the site's policy otherwise refuses (no inline scripts)."""
    if getattr(media, "_importmap", None) is None:
        return media
    return Media.from_media(media, nonce=request.csp_nonce)


class RichTextAdminMixin:
    """For a ModelAdmin whose form or inlines have a :class:`RichTextField`: the editor loads under
    the site's content security policy."""

    @property
    def media(self):
        return super().media + forms.Media(
            css={"all": ["css/rich-text-admin.css"]}, js=["js/rich-text-admin.js"]
        )

    def render_change_form(self, request, context, *args, **kwargs):
        if "media" in context:
            context["media"] = with_csp_nonce(context["media"], request)
        return super().render_change_form(request, context, *args, **kwargs)
