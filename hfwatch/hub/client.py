"""The Hub client: `/api/models` listings sent and paginated by hfwatch, read by hfwatch's own parser.

huggingface_hub supplies what it is good at, through its public API: the endpoint, the token and
headers (`build_hf_headers`), its shared httpx2 session (`get_session`, built by our client factory
so that its transport enforces timeouts, retries, the rate budget and the poll's deadline), its
error types (`hf_raise_for_status`) and offline mode. hfwatch sends each page itself, with the
explicit `expand` list, follows the `Link: <...>; rel="next"` header page by page, and parses each
page as it arrives (`hfwatch.hub.parse`): a bad field is unknown, a bad record is skipped and
counted, and neither fails the poll.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx2
from huggingface_hub import constants
from huggingface_hub.errors import HfHubHTTPError, OfflineModeIsEnabled
from huggingface_hub.utils import build_hf_headers, get_session, hf_raise_for_status, set_client_factory

from hfwatch.hub.decode import decode_page
from hfwatch.hub.guard import GuardedTransport, HubError, PollGuard, RateBudget, RequestPolicy, guarding
from hfwatch.hub.parse import PageError, ParsedPage
from hfwatch.pacing import no_checkpoint
from hfwatch.records import ModelRecord

# Exactly the fields hfwatch uses: never `full=True`, which costs several times the bytes.
EXPAND = [
    "author",
    "downloads",
    "downloadsAllTime",
    "likes",
    "trendingScore",
    "createdAt",
    "lastModified",
    "pipeline_tag",
    "library_name",
    "tags",
    "gated",
    "safetensors",
]

# huggingface_hub's sort names (what the poll plan uses) -> the API's.
_SORT_KEYS = {"trending_score": "trendingScore", "created_at": "createdAt", "last_modified": "lastModified"}
OFFLINE_MESSAGE = "HF_HUB_OFFLINE is set: hfwatch will not contact the Hub"


@dataclass(frozen=True, slots=True)
class Query:
    """One listing request of the poll plan (all its pages)."""

    label: str
    author: str | None = None
    search: str | None = None
    sort: str | None = None  # huggingface_hub names: trending_score, created_at, downloads, likes
    limit: int | None = None  # None: every page
    page_size: int | None = None  # `limit` per page for a listing walked to its end (None: the Hub's default)
    cursor: str | None = None  # start after the page this cursor of the Hub's next links ends (a resumed walk)

    def params(self) -> httpx2.QueryParams:
        """The first page's query string; the Hub carries it into its next links."""
        params: list[tuple[str, str | int | float | bool | None]] = []
        if self.author is not None:
            params.append(("author", self.author))
        if self.search is not None:
            params.append(("search", self.search))
        if self.sort is not None:
            params.append(("sort", _SORT_KEYS.get(self.sort, self.sort)))
        if self.limit is not None:
            params.append(("limit", self.limit))  # the page size: fewer pages for a top-N listing
        elif self.page_size is not None:
            params.append(("limit", self.page_size))
        if self.cursor is not None:
            params.append(("cursor", self.cursor))
        return httpx2.QueryParams(params + [("expand", field) for field in EXPAND])


_install_lock = threading.Lock()
_installed = False


def install_session(policy: RequestPolicy | None = None) -> None:
    """Make huggingface_hub's shared session use our guarded transport (once per process).

    No event hooks: the transport itself sets each request's timeouts and refuses requests in
    offline mode, so nothing depends on huggingface_hub's private hook.
    """
    global _installed
    with _install_lock:
        if _installed:
            return

        def factory() -> httpx2.Client:
            return httpx2.Client(
                transport=GuardedTransport(httpx2.HTTPTransport(), policy), follow_redirects=True, timeout=None
            )

        set_client_factory(factory)
        _installed = True


def is_offline() -> bool:
    return bool(constants.is_offline_mode())


class HubClient:
    """Lists models from one endpoint (the Hub, a mirror, or the simulated Hub)."""

    def __init__(
        self, endpoint: str | None = None, *, token: str | bool | None = None, policy: RequestPolicy | None = None
    ) -> None:
        self.policy = policy or RequestPolicy.from_env()
        install_session(self.policy)
        self.endpoint = (endpoint or constants.ENDPOINT).rstrip("/")
        self._origin = _origin(httpx2.URL(self.endpoint))
        # The token stays in this object's memory: never stored, logged or shown.
        self._token = token
        self.budget = RateBudget()

    def guard(
        self,
        *,
        deadline: float,
        cancel: threading.Event | None = None,
        on_status: Any = None,
        pace: Callable[[], None] | None = None,
    ) -> PollGuard:
        return PollGuard(
            deadline=deadline, policy=self.policy, cancel=cancel, on_status=on_status, budget=self.budget, pace=pace
        )

    def list(self, query: Query, guard: PollGuard) -> list[ModelRecord]:
        """All usable records of one query; raises HubError with a one-line reason.

        Records skipped and fields found unusable are added to `guard.stats`.
        """
        records: list[ModelRecord] = []
        for page in self.pages(query, guard):
            records.extend(page.records)
        # A server may send more than the page size asked for; a top-N listing stays N long.
        return records if query.limit is None else records[: query.limit]

    def pages(self, query: Query, guard: PollGuard) -> Iterator[ParsedPage]:
        """Each page of one query, parsed as it arrives: memory holds one raw page at a time."""
        for page, _cursor in self.walk(query, guard):
            yield page

    def walk(self, query: Query, guard: PollGuard) -> Iterator[tuple[ParsedPage, str | None]]:
        """Each page of one query with the Hub's cursor of the page after it (None after the last): a walk
        that stops can start again from that cursor (`Query.cursor`)."""
        with guarding(guard):
            try:
                yield from self._pages(query, guard)
            except HubError:
                raise
            except OfflineModeIsEnabled:
                raise HubError(OFFLINE_MESSAGE) from None
            except HfHubHTTPError as err:
                status = err.response.status_code if err.response is not None else "?"
                raise HubError(f"{query.label}: the Hub refused the request (HTTP {status})") from None
            except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
                raise HubError(f"{query.label}: the Hub sent a malformed page (invalid JSON)") from None
            except PageError as err:
                raise HubError(f"{query.label}: the Hub sent a page hfwatch cannot read ({err})") from None
            except httpx2.HTTPError as err:
                raise HubError(f"{query.label}: network error ({type(err).__name__})") from None
            finally:
                self.budget.fill(guard.stats)
                guard.stats.elapsed_s = time.monotonic() - guard.started

    def _pages(self, query: Query, guard: PollGuard) -> Iterator[tuple[ParsedPage, str | None]]:
        if is_offline():
            raise OfflineModeIsEnabled(OFFLINE_MESSAGE)
        session = get_session()
        headers = build_hf_headers(token=self._token, library_name="hfwatch")
        url: str | None = f"{self.endpoint}/api/models"
        params: httpx2.QueryParams | None = query.params()
        listed = 0
        while url is not None:
            guard.check()
            response = session.get(url, params=params, headers=headers)
            hf_raise_for_status(response)
            if guard.pace is not None:
                guard.pace()  # a key pressed during the request is answered before the page is parsed
            page = decode_page(response.content, guard.pace or no_checkpoint)
            guard.stats.skipped += page.skipped
            guard.stats.bad_fields += page.bad_fields
            url, params = self._next(response), None
            yield page, (httpx2.URL(url).params.get("cursor") if url is not None else None)
            listed += page.items
            if query.limit is not None and listed >= query.limit:
                return  # a top-N listing: the next pages are never requested

    def _next(self, response: httpx2.Response) -> str | None:
        """The absolute URL of the next page, if any; only ever on the endpoint's own host.

        The request carries the token: a next link to another host (a broken or hostile mirror)
        would hand it over, so it fails the poll instead.
        """
        link = response.links.get("next", {}).get("url")
        if not link:
            return None
        url = response.url.join(link)  # a relative link means the page's own host
        if _origin(url) != self._origin:
            raise HubError(
                f"the Hub's next-page link points to another host ({url.scheme}://{url.host}); not following it"
            )
        return str(url)


def _origin(url: httpx2.URL) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host, url.port or default
