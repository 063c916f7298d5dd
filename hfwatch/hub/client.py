"""The Hub client: `HfApi.list_models` on the hub client's own session, with hfwatch's guard.

One HTTP stack: huggingface_hub's shared httpx2 session, built by our client factory so that
its transport enforces timeouts, retries, the rate budget and the poll's deadline.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx2
from huggingface_hub import HfApi, constants
from huggingface_hub.errors import HfHubHTTPError, OfflineModeIsEnabled
from huggingface_hub.utils import set_client_factory
from huggingface_hub.utils._http import hf_request_event_hook

from hfwatch.hub.guard import GuardedTransport, HubError, PollGuard, RateBudget, RequestPolicy, guarding
from hfwatch.records import ModelRecord

# Exactly the fields hfwatch uses: never `full=True`, which costs several times the bytes.
EXPAND = [
    "author", "downloads", "downloadsAllTime", "likes", "trendingScore", "createdAt", "lastModified",
    "pipeline_tag", "library_name", "tags", "gated", "safetensors",
]

_MAX_COUNT = 2**62  # SQLite INTEGER is 64-bit signed; anything larger is not a real count


@dataclass(frozen=True, slots=True)
class Query:
    """One listing request of the poll plan (all its pages)."""

    label: str
    author: str | None = None
    search: str | None = None
    sort: str | None = None  # huggingface_hub names: trending_score, created_at, downloads, likes
    limit: int | None = None  # None: every page


_install_lock = threading.Lock()
_installed = False


def install_session(policy: RequestPolicy | None = None) -> None:
    """Make huggingface_hub's shared session use our guarded transport (once per process)."""
    global _installed
    with _install_lock:
        if _installed:
            return

        def factory() -> httpx2.Client:
            return httpx2.Client(
                transport=GuardedTransport(httpx2.HTTPTransport(), policy),
                event_hooks={"request": [hf_request_event_hook]},
                follow_redirects=True,
                timeout=None,
            )

        set_client_factory(factory)
        _installed = True


def is_offline() -> bool:
    return bool(constants.is_offline_mode())


def _count(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    if value < 0 or value > _MAX_COUNT:
        return None
    return value


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _time(value: Any) -> int | None:
    if isinstance(value, datetime):
        return int(value.timestamp())
    return None


def _params(value: Any) -> int | None:
    total = getattr(value, "total", None)
    if total is None and isinstance(value, dict):
        total = value.get("total")
    return _count(total)


def to_record(info: Any) -> ModelRecord | None:
    """A ModelRecord from huggingface_hub's ModelInfo, keeping only well-typed values."""
    model_id = getattr(info, "id", None)
    if not isinstance(model_id, str) or not model_id:
        return None
    tags = getattr(info, "tags", None)
    gated = getattr(info, "gated", None)
    return ModelRecord(
        id=model_id,
        author=_text(getattr(info, "author", None)),
        downloads_30d=_count(getattr(info, "downloads", None)),
        downloads_all_time=_count(getattr(info, "downloads_all_time", None)),
        likes=_count(getattr(info, "likes", None)),
        trending_score=_count(getattr(info, "trending_score", None)),
        created_at=_time(getattr(info, "created_at", None)),
        last_modified=_time(getattr(info, "last_modified", None)),
        pipeline_tag=_text(getattr(info, "pipeline_tag", None)),
        library_name=_text(getattr(info, "library_name", None)),
        tags=tuple(t for t in tags if isinstance(t, str)) if isinstance(tags, list) else (),
        gated=gated if isinstance(gated, str) else ("false" if gated is False else None),
        params=_params(getattr(info, "safetensors", None)),
    )


class HubClient:
    """Lists models from one endpoint (the Hub, a mirror, or the simulated Hub)."""

    def __init__(self, endpoint: str | None = None, *, token: str | bool | None = None,
                 policy: RequestPolicy | None = None) -> None:
        self.policy = policy or RequestPolicy.from_env()
        install_session(self.policy)
        self.endpoint = (endpoint or constants.ENDPOINT).rstrip("/")
        # The token stays in this object's memory: never stored, logged or shown.
        self._api = HfApi(endpoint=self.endpoint, token=token, library_name="hfwatch")
        self.budget = RateBudget()

    def guard(self, *, deadline: float, cancel: threading.Event | None = None,
              on_status: Any = None) -> PollGuard:
        return PollGuard(deadline=deadline, policy=self.policy, cancel=cancel, on_status=on_status,
                         budget=self.budget)

    def list(self, query: Query, guard: PollGuard) -> list[ModelRecord]:
        """All records of one query; raises HubError with a one-line reason."""
        records: list[ModelRecord] = []
        with guarding(guard):
            try:
                items: Iterable[Any] = self._api.list_models(
                    author=query.author, search=query.search, sort=query.sort,  # type: ignore[arg-type]
                    limit=query.limit, expand=EXPAND,  # type: ignore[arg-type]
                )
                for info in items:
                    guard.check()
                    record = to_record(info)
                    if record is not None:
                        records.append(record)
            except HubError:
                raise
            except OfflineModeIsEnabled:
                raise HubError("HF_HUB_OFFLINE is set: hfwatch will not contact the Hub") from None
            except HfHubHTTPError as err:
                status = err.response.status_code if err.response is not None else "?"
                raise HubError(f"{query.label}: the Hub refused the request (HTTP {status})") from None
            except json.JSONDecodeError:
                raise HubError(f"{query.label}: the Hub sent a malformed page (invalid JSON)") from None
            except (TypeError, ValueError, KeyError, AttributeError) as err:
                raise HubError(f"{query.label}: the Hub sent a page hfwatch cannot read "
                               f"({type(err).__name__})") from None
            except httpx2.HTTPError as err:
                raise HubError(f"{query.label}: network error ({type(err).__name__})") from None
            finally:
                self.budget.fill(guard.stats)
        return records
