from django import template
from django.utils.safestring import mark_safe

from performance.shared import calculations
from performance.shared.richtext import safe_rich_text

register = template.Library()


@register.filter
def rich_text(html: str) -> str:
    """Staff-written rich text as safe HTML: cleaned again to the one allow-list
    (``richtext.cleaned_html``), so scripts and other tags never reach the page."""
    return mark_safe(safe_rich_text(html or ""))  # noqa: S308 - cleaned by nh3


register.filter("thousands", calculations.thousands)
register.filter("ordinal", calculations.ordinal)
