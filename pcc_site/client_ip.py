"""The address a sign-in attempt comes from, for sign-in throttling (django-axes'
``AXES_CLIENT_IP_CALLABLE``).

Lockouts count failures per username and address, so the address must be one the client cannot
choose. Each reverse proxy appends the address it received the request from to the right of
``X-Forwarded-For``; everything to the left of that is whatever the client sent. With
``TRUSTED_PROXIES`` = N, the client is therefore the N-th entry from the right: the address the
outermost trusted proxy saw. With no trusted proxy the header is ignored.
"""

import ipaddress
import logging

from django.conf import settings

logger = logging.getLogger(__name__)

UNRESOLVABLE = "0.0.0.0"
"""What an attempt with no usable address is recorded as. No client connects from the
unspecified address, and ``AXES_IP_BLACKLIST`` refuses it: such attempts are never throttled
together (one attacker would lock everyone out), nor each on its own (nothing would stop guessing).
It only happens when the server is set up wrong (REMOTE_ADDR empty, as on a Unix socket, with
TRUSTED_PROXIES unset), and refusing every sign-in makes that plain at once."""


def client_ip_address(request) -> str:
    """The address of the client that sent ``request``, as trusted proxies report it.

    A header shorter than ``TRUSTED_PROXIES``, or an entry that is not an IP address, means the
    request did not come through the trusted proxies as configured: the peer's own address
    (REMOTE_ADDR), which the client cannot forge, is used instead.
    """
    proxies = settings.TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if proxies > 0 and len(forwarded) >= proxies:
        address = normalised(forwarded[-proxies])
        if address:
            return address
    address = normalised(request.META.get("REMOTE_ADDR", ""))
    if address:
        return address
    logger.error(
        "No client address (REMOTE_ADDR %r), so sign-in is refused. Set TRUSTED_PROXIES to the "
        "number of reverse proxies in front of the site.",
        request.META.get("REMOTE_ADDR"),
    )
    return UNRESOLVABLE


def normalised(text: str) -> str | None:
    """``text`` as one canonical IP address, or None if it is not one: the same client must not
    be counted afresh by writing its address another way (``::ffff:192.0.2.1``, ``2001:DB8::1``).

    >>> normalised(" 2001:DB8:0:0::1 "), normalised("::ffff:192.0.2.1"), normalised("unknown")
    ('2001:db8::1', '192.0.2.1', None)
    """
    try:
        address = ipaddress.ip_address(text.strip().partition("%")[0])
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address)
