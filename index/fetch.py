"""Fetch one web page safely: http(s) only, no private addresses, bounded size, time and redirects.

>>> from rag.settings import Settings
>>> page = fetch_url("https://example.com/news/1", Settings())  # doctest: +SKIP
>>> page.content_type, page.final_url  # doctest: +SKIP
('text/html', 'https://example.com/news/1')

Why the care: article URLs come from users (and from pasted lists), and the process may run
next to services that trust localhost or sit in a cloud network with a metadata endpoint
(169.254.169.254). So every hop is resolved, each resolved address is checked, and the
connection is pinned to the checked address so DNS cannot answer differently a second time.
RAG_ALLOW_PRIVATE_URLS=1 lets loopback and private addresses through (a feed on 127.0.0.1 or an
intranet), never link-local or cloud-metadata ones (``never_fetched``).

``RAG_FETCH_TIMEOUT`` caps the whole fetch (connect, TLS, headers, body, every redirect hop):
httpx's timeouts are per read, so a server sending one header byte a second would otherwise hold
the ingest, and its write lock, for as long as it liked (see ``_Deadline``).

Credentials in the URL (``https://user:password@host/``) are sent as HTTP Basic auth, because
the user asked for them, but only to that URL and to redirects that keep the same scheme, host
and port (a relative ``Location``): a redirect elsewhere never receives them. They never appear
in ``FetchedPage.final_url`` (which becomes the stored source), in errors or in logs.

Conditional requests (for feed polling, ``index.watch``): pass the ``etag`` and ``last_modified``
of an earlier ``FetchedPage`` and a server whose page has not changed answers ``304 Not
Modified``; the result then has ``not_modified=True`` and an empty body. The same guard, caps and
deadline apply as to any fetch.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import logging
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from urllib.parse import SplitResult, unquote, urljoin, urlsplit, urlunsplit

import httpx

from rag.errors import InputError
from rag.settings import Settings
from index import waits
from index.types import PRIVATE_OFF  # the guard's words, kept with the records
from index.userinfo import strip_userinfo

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
    etag: str | None = None  # validators for a later conditional request (feed polling)
    last_modified: str | None = None
    not_modified: bool = False  # the server answered 304 to a conditional request: body is empty


@functools.lru_cache(maxsize=1)
def _tls() -> ssl.SSLContext:
    """One verifying TLS context (the CA bundle httpx uses, no environment overrides, as
    ``trust_env=False``) for every fetch. Each fetch still gets its own client (its own pinned
    connections and deadline); building a context per client, which loads the CA bundle, took
    ~22 ms of CPU a page, most of a feed ingest's cost beyond the model (``benchmarks.feeds``)."""
    return httpx.create_ssl_context(trust_env=False)


def fetch_url(url: str, settings: Settings, *, etag: str | None = None,
              last_modified: str | None = None) -> FetchedPage:
    """GET ``url``, following up to ``settings.fetch_max_redirects`` redirects, each one re-checked.

    With ``etag`` / ``last_modified`` (validators from an earlier fetch of the same URL) the
    request is conditional (``If-None-Match`` / ``If-Modified-Since``), and a 304 comes back as a
    page with ``not_modified=True`` and no body.

    Raises InputError whose reason says how to fix it (wrong scheme, private address, too big,
    too slow, too many redirects, HTTP error status). Neither the error nor the page carries
    the URL's credentials.
    """
    page = _fetch(url, settings, etag, last_modified)
    if not page.not_modified:
        _observe(url, page)
    return page


def _fetch(url: str, settings: Settings, etag: str | None, last_modified: str | None) -> FetchedPage:
    deadline = _Deadline(settings.fetch_timeout)
    current = _strip_fragment(url.strip())
    headers = {"User-Agent": _USER_AGENT, "Accept": "text/html,application/pdf,text/plain,*/*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        with httpx.Client(
            timeout=settings.fetch_timeout,
            verify=_tls(),
            follow_redirects=False,
            trust_env=False,  # a proxy would connect on our behalf and defeat the address check
            headers=headers,
        ) as client:
            for hop in range(settings.fetch_max_redirects + 1):
                shown = strip_userinfo(current)
                response = _request(client, current, settings, deadline)
                try:
                    if response.status_code in _REDIRECTS:
                        location = response.headers.get("location")
                        if not location:
                            raise InputError(shown, f"redirect ({response.status_code}) without a Location header; "
                                                    "open the URL in a browser and use the address it ends on")
                        nxt = _carry_credentials(current, _strip_fragment(urljoin(current, location)))
                        logger.debug("redirect %d: %s -> %s", hop + 1, shown, strip_userinfo(nxt))
                        current = nxt
                        continue
                    if response.status_code == 304:
                        if not (etag or last_modified):
                            raise InputError(shown, "the server answered 304 Not Modified to a plain request; "
                                                    "check the URL opens in a browser")
                        return FetchedPage(shown, "", b"", None, etag=response.headers.get("etag") or etag,
                                           last_modified=response.headers.get("last-modified") or last_modified,
                                           not_modified=True)
                    if response.status_code >= 400:
                        raise InputError(shown, f"the server answered HTTP {response.status_code} "
                                                f"{response.reason_phrase}; check the URL opens in a browser")
                    body = _read_capped(response, shown, settings, deadline)
                    return _page(shown, response, body)
                finally:
                    response.close()
    finally:
        deadline.close()
    raise InputError(strip_userinfo(url), f"more than {settings.fetch_max_redirects} redirects "
                                          f"(stopped at {strip_userinfo(current)}); "
                                          "use the final address directly or raise RAG_FETCH_MAX_REDIRECTS")


PageObserver = Callable[[str, FetchedPage], None]
_observer: ContextVar[PageObserver | None] = ContextVar("fetch_observer", default=None)


@contextlib.contextmanager
def observing(callback: PageObserver) -> Iterator[None]:
    """Within the block, ``callback(url, page)`` sees every page ``fetch_url`` returns in this
    thread (``url`` as it was asked for). Other threads' fetches are not seen (a context variable:
    a feed's item pages, fetched by a pool, stay out). The callback never fails a fetch."""
    token = _observer.set(callback)
    try:
        yield
    finally:
        _observer.reset(token)


def _observe(url: str, page: FetchedPage) -> None:
    callback = _observer.get()
    if callback is None:
        return
    try:
        callback(url, page)
    except Exception:  # an observer's bug must not lose the page
        logger.exception("page observer failed on %s", page.final_url)


_live: set[_Deadline] = set()  # the deadlines of the fetches in flight, for ``abort_fetches``
_live_lock = threading.Lock()


def abort_fetches() -> int:
    """Make every fetch in flight in this process fail now (with "the fetch was stopped"); returns
    how many. For a process about to exit on a second Ctrl-C: threads fetching feed items would
    otherwise keep it waiting for their servers, up to ``RAG_FETCH_TIMEOUT`` each. Fetches started
    afterwards are not affected. A connection still being opened is only stopped by its timeout."""
    with _live_lock:
        live = list(_live)
    for deadline in live:
        deadline.abort()
    return len(live)


class _Deadline:
    """The total time cap of one fetch, enforced on the sockets themselves.

    httpx's timeouts bound each read, not the whole response: a server that sends one header byte
    a second never times out. So every socket this fetch connects is registered (through httpx's
    public ``trace`` request extension) and, when the cap passes, a timer shuts them down. That
    wakes a read blocked in any phase (TLS, headers, body) and makes it fail; the caller then
    reports the timeout because ``expired`` is set. ``shutdown`` is used (not ``close``) because
    it acts on the connection and interrupts a read blocked in another thread; it is applied to a
    duplicate descriptor, which stays valid when TLS wraps the original socket.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.expired = False
        self.aborted = False  # stopped by ``abort_fetches``, not by the time cap
        self._socks: list[socket.socket] = []
        self._wake: list[threading.Event] = []  # waits to end at once when the deadline passes
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(seconds, 0.0), self._expire)
        self._timer.daemon = True
        self._timer.start()
        with _live_lock:
            _live.add(self)

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def trace(self, event: str, info: dict) -> None:
        """httpcore trace hook: watch each new connection's socket."""
        if event != "connection.connect_tcp.complete":
            return
        stream = info.get("return_value")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if not isinstance(sock, socket.socket):
            return
        dup = sock.dup()
        with self._lock:
            self._socks.append(dup)
            if self.expired:
                _shutdown(dup)

    def wake_on_expiry(self, event: threading.Event) -> None:
        """Set ``event`` when the deadline passes (or the fetch is aborted): a wait on it ends then."""
        with self._lock:
            self._wake.append(event)
            if self.expired:
                event.set()

    def abort(self) -> None:
        self.aborted = True
        self._expire()

    def timed_out(self, url: str) -> InputError:
        if self.aborted:
            return InputError(url, "the fetch was stopped (the command was interrupted); fetch it again")
        return InputError(url, f"took longer than {self.seconds:g}s in total (connect, headers and body); "
                               "check the site is up or raise RAG_FETCH_TIMEOUT")

    def check(self, url: str) -> None:
        if self.expired or self.remaining() <= 0:
            raise self.timed_out(url)

    def close(self) -> None:
        self._timer.cancel()
        with _live_lock:
            _live.discard(self)
        with self._lock:
            for sock in self._socks:
                sock.close()
            self._socks.clear()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._socks:
                _shutdown(sock)
            for event in self._wake:
                event.set()


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # already closed by the other side or by httpx: nothing left to interrupt
        pass


def check_address(url: str, host: str, ip: IPAddress, settings: Settings) -> None:
    """Refuse addresses that are not on the public internet, unless private URLs are allowed: an
    ``InputError`` with the code ``private_address``, in words for no surface (``PRIVATE_OFF``).

    Link-local and cloud-metadata addresses are refused even when private URLs are allowed
    (``never_fetched``): RAG_ALLOW_PRIVATE_URLS=1 is how a feed on 127.0.0.1 or an intranet is read,
    and it let a feed item, and a redirect, reach 169.254.169.254 (new user 20), where a cloud
    host's metadata service hands out its credentials. No article lives there. That refusal has no
    code: no setting allows it, so no surface adds one to turn on."""
    shown = host if host == str(ip) else f"{host} ({ip})"
    never = never_fetched(ip)
    if never:
        raise InputError(url, f"refusing to fetch {shown}: it is {never}, which is never fetched, even with "
                              "RAG_ALLOW_PRIVATE_URLS=1 (cloud hosts serve their credentials there, and no "
                              "article); link to the article's public address instead")
    if settings.allow_private_urls:
        return
    kind = address_kind(ip)
    if kind:
        raise InputError(url, f"refusing to fetch {shown}: it is {_article(kind)} {kind} address, and {PRIVATE_OFF}",
                         code="private_address")


#: cloud metadata services not on a link-local address: AWS's IPv6 one (fd00:ec2::254, a private
#: address) and Alibaba Cloud's (100.100.100.200, shared address space)
_METADATA = frozenset(map(ipaddress.ip_address, ("fd00:ec2::254", "100.100.100.200")))


def never_fetched(ip: IPAddress) -> str | None:
    """Why ``ip`` is never fetched, whatever RAG_ALLOW_PRIVATE_URLS says ("a link-local address",
    "a cloud metadata address"), or None. Link-local is 169.254.0.0/16 (169.254.169.254: the
    metadata service of AWS, Google Cloud, Azure, ...) and fe80::/10, also inside an IPv6 address
    that carries an IPv4 one (::ffff:169.254.169.254, 6to4, Teredo).

    >>> [never_fetched(ipaddress.ip_address(a)) for a in ("::ffff:169.254.169.254", "fe80::1", "10.1.2.3")]
    ['a link-local address', 'a link-local address', None]
    """
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None and never_fetched(embedded):
            return never_fetched(embedded)
    if ip in _METADATA:
        return "a cloud metadata address"
    return "a link-local address" if ip.is_link_local else None


def _article(word: str) -> str:
    """ "a" or "an" before ``word``: "an unspecified address" (it said "a unspecified")."""
    return "an" if word[:1] in "aeiou" else "a"


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


def _request(client: httpx.Client, url: str, settings: Settings, deadline: _Deadline) -> httpx.Response:
    parts = urlsplit(url)
    shown = strip_userinfo(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise InputError(shown, f"only http:// and https:// URLs can be fetched, not {parts.scheme or 'no'} scheme; "
                                "download the file and pass its path instead")
    host = parts.hostname
    if not host:
        raise InputError(shown, "the URL has no host name; write it as https://host/path")
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError as exc:
        raise InputError(shown, f"the URL has an invalid port ({exc}); fix the URL") from exc
    addresses = _resolve(shown, host, port, deadline)
    for ip in addresses:
        check_address(shown, host, ip, settings)
    auth = httpx.BasicAuth(unquote(parts.username), unquote(parts.password or "")) if parts.username else None
    last_error: Exception | None = None
    for ip in addresses:  # first address that accepts a connection, like a browser would
        deadline.check(shown)
        try:
            request = _pinned_request(client, url, host, ip, deadline)
        except httpx.InvalidURL as exc:  # e.g. a control character in a feed's link or a Location
            raise InputError(shown, f"is not a valid URL ({exc}); fix the link") from exc
        try:
            return client.send(request, stream=True, auth=auth)
        except httpx.TimeoutException as exc:
            raise deadline.timed_out(shown) from exc
        except httpx.ConnectError as exc:
            if deadline.expired:
                raise deadline.timed_out(shown) from exc
            last_error = exc
        except httpx.HTTPError as exc:
            if deadline.expired:  # the deadline shut the socket down mid-response
                raise deadline.timed_out(shown) from exc
            raise InputError(shown, f"request failed ({exc}); check the URL and your network") from exc
    raise InputError(shown, f"could not connect to {host} ({last_error}); check the URL and your network")


def _resolve(url: str, host: str, port: int, deadline: _Deadline) -> list[IPAddress]:
    """The host's addresses. getaddrinfo has no timeout of its own (a slow resolver can take its
    retries' worth of seconds), so it runs in a helper thread that the deadline stops waiting for."""
    found: dict[str, object] = {}
    done = threading.Event()

    def lookup() -> None:
        waits.leave_signals_to_main()
        try:
            found["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except Exception as exc:  # noqa: BLE001 (handed to the waiting thread)
            found["error"] = exc
        finally:
            done.set()

    threading.Thread(target=lookup, name="fetch-resolve", daemon=True).start()
    deadline.wake_on_expiry(done)
    if not waits.wait(done, max(deadline.remaining(), 0.0)) or not found:
        raise deadline.timed_out(url)
    exc = found.get("error")
    if isinstance(exc, (socket.gaierror, UnicodeError)):
        raise InputError(url, f"cannot resolve host {host!r} ({exc}); check the spelling and your network") from exc
    if isinstance(exc, BaseException):
        raise exc
    infos = found["infos"]
    assert isinstance(infos, list)
    seen: dict[str, IPAddress] = {}
    for _family, _type, _proto, _name, sockaddr in infos:
        addr = str(sockaddr[0]).split("%", 1)[0]  # drop an IPv6 zone id
        seen.setdefault(addr, ipaddress.ip_address(addr))
    if not seen:
        raise InputError(url, f"host {host!r} has no address; check the URL")
    return list(seen.values())


def _pinned_request(client: httpx.Client, url: str, host: str, ip: IPAddress, deadline: _Deadline) -> httpx.Request:
    """Connect to the checked ``ip`` while speaking to ``host`` (Host header and TLS SNI).

    Each phase's own timeout is what is left of the total, and the deadline watches the socket.
    """
    parts = urlsplit(url)
    ip_host = f"[{ip}]" if ip.version == 6 else str(ip)
    netloc = f"{ip_host}:{parts.port}" if parts.port else ip_host
    target = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    host_header = parts.netloc.rsplit("@", 1)[-1]
    return client.build_request("GET", target, headers={"Host": host_header},
                                timeout=httpx.Timeout(max(deadline.remaining(), 0.01)),
                                extensions={"sni_hostname": host, "trace": deadline.trace})


def _read_capped(response: httpx.Response, url: str, settings: Settings, deadline: _Deadline) -> bytes:
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
            deadline.check(url)
    except httpx.HTTPError as exc:
        if deadline.expired or isinstance(exc, httpx.TimeoutException):
            raise deadline.timed_out(url) from exc
        raise InputError(url, f"download failed ({exc}); try again or download the file yourself") from exc
    # A body without a length ends when the connection closes, as the deadline's shutdown does:
    # what arrived by then is a truncated page, not the article.
    deadline.check(url)
    return b"".join(chunks)


def _page(url: str, response: httpx.Response, body: bytes) -> FetchedPage:
    header = response.headers.get("content-type", "")
    media = header.split(";", 1)[0].strip().lower()
    encoding = None
    for param in header.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            encoding = value.strip().strip("\"'")
    return FetchedPage(final_url=url, content_type=media, body=body, encoding=encoding,
                       etag=response.headers.get("etag") or None,
                       last_modified=response.headers.get("last-modified") or None)


def _carry_credentials(current: str, nxt: str) -> str:
    """Keep the user's credentials on a redirect to the same scheme, host and port, and only there."""
    cur, new = urlsplit(current), urlsplit(nxt)
    if cur.username is None or new.username is not None:
        return nxt
    if _origin(cur) != _origin(new):
        return nxt
    userinfo = cur.netloc.rsplit("@", 1)[0]
    return urlunsplit((new.scheme, f"{userinfo}@{new.netloc}", new.path, new.query, new.fragment))


def _origin(parts: SplitResult) -> tuple[str, str | None, int | None]:
    scheme = parts.scheme.lower()
    try:
        port = parts.port or {"http": 80, "https": 443}.get(scheme)
    except ValueError:
        port = None
    return scheme, parts.hostname, port


def _strip_fragment(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
