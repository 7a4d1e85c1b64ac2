import markdown as markdown_lib
import nh3
from django import template
from django.utils.safestring import mark_safe

from performance import calculations

register = template.Library()

# Rich text from staff: Markdown rendered, then cleaned to this allow-list. Headings are left out
# so an editor's text cannot break the page's heading order.
ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "a", "strong", "em", "blockquote", "abbr"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "ol": {"start"}}


@register.filter
def markdown(text: str) -> str:
    """Staff-written Markdown as safe HTML: raw HTML and scripts never reach the page."""
    html = markdown_lib.markdown(text or "", extensions=["sane_lists"], output_format="html")
    return mark_safe(  # noqa: S308 - nh3 has cleaned it to the allow-list
        nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes={"https", "http", "mailto", "tel"},
            link_rel="noopener noreferrer",
        )
    )


register.filter("thousands", calculations.thousands)
register.filter("ordinal", calculations.ordinal)
