"""What a page costs to download: its HTML and the static files it loads, compressed as served.

WhiteNoise serves every static file pre-compressed with gzip and Brotli; browsers take Brotli.
Used by the budget test and ``make bench``.
"""

import gzip
import re
from dataclasses import dataclass

import brotli
from django.conf import settings
from django.contrib.staticfiles import finders

ASSET = re.compile(r'<(?:script[^>]+src|link[^>]+href)="([^"]+)"')


@dataclass(frozen=True)
class Transfer:
    url: str
    raw: int
    gzip: int
    brotli: int

    @property
    def kind(self) -> str:
        return self.url.rsplit(".", 1)[-1].split("?")[0]


def compressed(data: bytes, url: str) -> Transfer:
    return Transfer(url, len(data), len(gzip.compress(data, 9)), len(brotli.compress(data)))


def page_transfers(html: str) -> list[Transfer]:
    """The page itself and each static file it references, with their compressed sizes."""
    transfers = [compressed(html.encode(), "page.html")]
    for url in dict.fromkeys(ASSET.findall(html)):
        if not url.startswith(settings.STATIC_URL) and not url.startswith("/" + settings.STATIC_URL):
            continue
        path = finders.find(url.split(settings.STATIC_URL, 1)[1])
        if path:
            with open(path, "rb") as handle:
                transfers.append(compressed(handle.read(), url))
    return transfers
