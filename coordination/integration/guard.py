"""The outbound-address guard: the hub sends only to public http(s) addresses (SSRF), and
pins the connection to the address it checked."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils.translation import gettext as _
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.util import connection as _connection


class UnsafeTarget(Exception):
    """The URL is not one we may send to (scheme, or a private/loopback/... address)."""


def _allowed_hosts() -> set[str]:
    return {h.lower() for h in getattr(settings, "WEBHOOK_ALLOWED_HOSTS", []) or []}


def _is_unsafe(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def check_target(url: str) -> list[str]:
    """Refuse anything but http(s) to public addresses; return the resolved addresses.

    1. Only http and https, with a host.
    2. Hosts in settings.WEBHOOK_ALLOWED_HOSTS pass whatever they resolve to
       (tests, on-premise ERPs).
    3. Otherwise resolve the host; every address must be public (not private, loopback,
       link-local, multicast, reserved or unspecified), else UnsafeTarget.
    Called at create, update and send time (DNS may change between them).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UnsafeTarget(_("只允许 http 或 https 地址。"))
    host = (parts.hostname or "").lower()
    if not host:
        raise UnsafeTarget(_("地址缺少主机名。"))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeTarget(_("端口无效。")) from exc
    if host in _allowed_hosts():
        return []
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        raise UnsafeTarget(_("无法解析主机名：%(host)s") % {"host": host}) from exc
    addresses = sorted({info[4][0] for info in infos})
    if not addresses:
        raise UnsafeTarget(_("无法解析主机名：%(host)s") % {"host": host})
    for address in addresses:
        if _is_unsafe(address):
            raise UnsafeTarget(
                _("不允许发送到内网、回环、链路本地或保留地址：%(host)s → %(ip)s")
                % {"host": host, "ip": address}
            )
    return addresses


def pinned_session(address: str | None):
    """A requests session whose connections go to `address` (the IP checked just before),
    not to a fresh DNS answer: a host re-resolving to 127.0.0.1 between the check and the
    connection (DNS rebinding) cannot redirect us. TLS still verifies the URL's host name."""
    session = requests.Session()
    session.trust_env = False  # no proxies from the environment
    if not address:
        return session

    def _new_conn(self):
        return _connection.create_connection(
            (address, self.port),
            self.timeout,
            source_address=self.source_address,
            socket_options=self.socket_options,
        )

    http_conn = type("PinnedHTTPConnection", (HTTPConnection,), {"_new_conn": _new_conn})
    https_conn = type("PinnedHTTPSConnection", (HTTPSConnection,), {"_new_conn": _new_conn})
    pools = {
        "http": type("PinnedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
        "https": type("PinnedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn}),
    }

    class PinnedAdapter(HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs):
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = pools

    session.mount("http://", PinnedAdapter(max_retries=0))
    session.mount("https://", PinnedAdapter(max_retries=0))
    return session
