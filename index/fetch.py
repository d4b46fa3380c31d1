"""Fetch one web page safely: http(s) only, no private addresses, bounded size, time and redirects.

>>> from index.settings import Settings
>>> page = fetch_url("https://example.com/news/1", Settings())  # doctest: +SKIP
>>> page.content_type, page.final_url  # doctest: +SKIP
('text/html', 'https://example.com/news/1')

Why the care: article URLs come from users (and from pasted lists), and the process may run
next to services that trust localhost or sit in a cloud network with a metadata endpoint
(169.254.169.254). So every hop is resolved, each resolved address is checked, and the
connection is pinned to the checked address so DNS cannot answer differently a second time.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from index.errors import InputError
from index.settings import Settings

logger = logging.getLogger(__name__)

_REDIRECTS = {301, 302, 303, 307, 308}
_USER_AGENT = "rag-articles/0.1 (+article question answering; fetches one page per request)"
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class FetchedPage:
    """The body of the final response after redirects, and how to read it."""

    final_url: str
    content_type: str  # media type only, lower case, e.g. "text/html"
    body: bytes
    encoding: str | None  # charset from the Content-Type header, if any


def fetch_url(url: str, settings: Settings) -> FetchedPage:
    """GET ``url``, following up to ``settings.fetch_max_redirects`` redirects, each one re-checked.

    Raises InputError whose reason says how to fix it (wrong scheme, private address, too big,
    too slow, too many redirects, HTTP error status).
    """
    deadline = time.monotonic() + settings.fetch_timeout
    current = _strip_fragment(url.strip())
    with httpx.Client(
        timeout=settings.fetch_timeout,
        follow_redirects=False,
        trust_env=False,  # a proxy would connect on our behalf and defeat the address check
        headers={"User-Agent": _USER_AGENT, "Accept": "text/html,application/pdf,text/plain,*/*;q=0.5"},
    ) as client:
        for hop in range(settings.fetch_max_redirects + 1):
            response = _request(client, current, settings, deadline)
            try:
                if response.status_code in _REDIRECTS:
                    location = response.headers.get("location")
                    if not location:
                        raise InputError(current, f"redirect ({response.status_code}) without a Location header; "
                                                  "open the URL in a browser and use the address it ends on")
                    nxt = _strip_fragment(urljoin(current, location))
                    logger.debug("redirect %d: %s -> %s", hop + 1, current, nxt)
                    current = nxt
                    continue
                if response.status_code >= 400:
                    raise InputError(current, f"the server answered HTTP {response.status_code} "
                                              f"{response.reason_phrase}; check the URL opens in a browser")
                body = _read_capped(response, current, settings, deadline)
                return _page(current, response, body)
            finally:
                response.close()
    raise InputError(url, f"more than {settings.fetch_max_redirects} redirects (stopped at {current}); "
                          "use the final address directly or raise RAG_FETCH_MAX_REDIRECTS")


def check_address(url: str, host: str, ip: IPAddress, settings: Settings) -> None:
    """Refuse addresses that are not on the public internet, unless private URLs are allowed."""
    if settings.allow_private_urls:
        return
    kind = address_kind(ip)
    if kind:
        shown = host if host == str(ip) else f"{host} ({ip})"
        raise InputError(url, f"refusing to fetch {shown}: it is a {kind} address; "
                               "set RAG_ALLOW_PRIVATE_URLS=1 to allow local and private addresses")


def address_kind(ip: IPAddress) -> str | None:
    """Why ``ip`` is not public ("loopback", "private", ...), or None for a public address."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            inner = address_kind(embedded)
            if inner:
                return inner
    for kind, flag in (("loopback", ip.is_loopback), ("unspecified", ip.is_unspecified),
                       ("link-local", ip.is_link_local), ("multicast", ip.is_multicast),
                       ("reserved", ip.is_reserved), ("private", ip.is_private)):
        if flag:
            return kind
    if not ip.is_global:
        return "non-public"
    return None


def _request(client: httpx.Client, url: str, settings: Settings, deadline: float) -> httpx.Response:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise InputError(url, f"only http:// and https:// URLs can be fetched, not {parts.scheme or 'no'} scheme; "
                              "download the file and pass its path instead")
    host = parts.hostname
    if not host:
        raise InputError(url, "the URL has no host name; write it as https://host/path")
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError as exc:
        raise InputError(url, f"the URL has an invalid port ({exc}); fix the URL") from exc
    addresses = _resolve(url, host, port)
    for ip in addresses:
        check_address(url, host, ip, settings)
    last_error: Exception | None = None
    for ip in addresses:  # first address that accepts a connection, like a browser would
        request = _pinned_request(client, url, host, ip)
        try:
            _check_deadline(url, settings, deadline)
            return client.send(request, stream=True)
        except httpx.ConnectError as exc:
            last_error = exc
        except httpx.TimeoutException as exc:
            raise InputError(url, f"timed out after {settings.fetch_timeout:g}s; check the site is up "
                                  "or raise RAG_FETCH_TIMEOUT") from exc
        except httpx.HTTPError as exc:
            raise InputError(url, f"request failed ({exc}); check the URL and your network") from exc
    raise InputError(url, f"could not connect to {host} ({last_error}); check the URL and your network")


def _resolve(url: str, host: str, port: int) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise InputError(url, f"cannot resolve host {host!r} ({exc}); check the spelling and your network") from exc
    seen: dict[str, IPAddress] = {}
    for _family, _type, _proto, _name, sockaddr in infos:
        addr = str(sockaddr[0]).split("%", 1)[0]  # drop an IPv6 zone id
        seen.setdefault(addr, ipaddress.ip_address(addr))
    if not seen:
        raise InputError(url, f"host {host!r} has no address; check the URL")
    return list(seen.values())


def _pinned_request(client: httpx.Client, url: str, host: str, ip: IPAddress) -> httpx.Request:
    """Connect to the checked ``ip`` while speaking to ``host`` (Host header and TLS SNI)."""
    parts = urlsplit(url)
    ip_host = f"[{ip}]" if ip.version == 6 else str(ip)
    netloc = f"{ip_host}:{parts.port}" if parts.port else ip_host
    target = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    host_header = parts.netloc.rsplit("@", 1)[-1]
    return client.build_request("GET", target, headers={"Host": host_header},
                                extensions={"sni_hostname": host})


def _read_capped(response: httpx.Response, url: str, settings: Settings, deadline: float) -> bytes:
    limit = int(settings.max_file_mb * 1024 * 1024)
    too_big = (f"is larger than the {settings.max_file_mb:g} MB limit; "
               "raise RAG_MAX_FILE_MB or download and split it")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise InputError(url, f"{too_big} (the server says {int(declared) / 1e6:.1f} MB)")
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise InputError(url, too_big)
            chunks.append(chunk)
            _check_deadline(url, settings, deadline)
    except httpx.TimeoutException as exc:
        raise InputError(url, f"timed out after {settings.fetch_timeout:g}s while downloading; "
                              "raise RAG_FETCH_TIMEOUT") from exc
    except httpx.HTTPError as exc:
        raise InputError(url, f"download failed ({exc}); try again or download the file yourself") from exc
    return b"".join(chunks)


def _check_deadline(url: str, settings: Settings, deadline: float) -> None:
    if time.monotonic() > deadline:
        raise InputError(url, f"took longer than {settings.fetch_timeout:g}s in total; raise RAG_FETCH_TIMEOUT")


def _page(url: str, response: httpx.Response, body: bytes) -> FetchedPage:
    header = response.headers.get("content-type", "")
    media = header.split(";", 1)[0].strip().lower()
    encoding = None
    for param in header.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            encoding = value.strip().strip("\"'")
    return FetchedPage(final_url=url, content_type=media, body=body, encoding=encoding)


def _strip_fragment(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
