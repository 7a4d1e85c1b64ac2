from functools import lru_cache

import markdown as markdown_lib
import nh3
from django import template
from django.utils.safestring import mark_safe

from performance.shared import calculations

register = template.Library()

# Rich text from staff: Markdown rendered, then cleaned to this allow-list. Headings are left out
# so an editor's text cannot break the page's heading order.
ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "a", "strong", "em", "blockquote", "abbr"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "ol": {"start"}}


@lru_cache(maxsize=1024)
def markdown_to_safe_html(text: str) -> str:
    """Markdown as HTML cleaned to the allow-list. Pure, so cached: pages reuse the same texts."""
    html = markdown_lib.markdown(text, extensions=["sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"https", "http", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )


@register.filter
def markdown(text: str) -> str:
    """Staff-written Markdown as safe HTML: raw HTML and scripts never reach the page."""
    return mark_safe(markdown_to_safe_html(text or ""))  # noqa: S308 - cleaned by nh3


register.filter("thousands", calculations.thousands)
register.filter("ordinal", calculations.ordinal)
