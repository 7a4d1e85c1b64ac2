"""Rich text staff write (the Commissioner's statement): kept to what a statement needs, cleaned
with nh3 when it is saved, so the page can show it as it is."""

import nh3

TAGS = {"p", "br", "strong", "b", "em", "i", "ul", "ol", "li", "a", "h3", "h4", "blockquote"}
ATTRIBUTES = {"a": {"href"}}


def cleaned_html(html: str) -> str:
    """``html`` with only paragraphs, emphasis, lists, headings and links (http, https, mailto
    and the site's own addresses) left; scripts, styles, event handlers and other tags removed.

    >>> cleaned_html('<p onclick="x()">Crime <b>fell</b>.<script>alert(1)</script></p>')
    '<p>Crime <b>fell</b>.</p>'
    >>> cleaned_html('<a href="javascript:alert(1)">x</a> <a href="/document-library/">y</a>')
    '<a rel="noopener noreferrer">x</a> <a href="/document-library/" rel="noopener noreferrer">y</a>'
    """
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
