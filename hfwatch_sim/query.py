"""``GET /api/models`` without the HTTP: parameters, filtering, sorting, cursors and record shapes.

Cursor: a live keyset, as on the real Hub. It is base64 of ``{"v": <sort value>, "i": <_id>}`` of the last
record served; the next page is the records that sort after that key in the listing *as it is when the next
page is asked for*. A record whose value moved up between two pages is skipped, one that moved down is seen
twice, and a model created meanwhile shows up in the walk if it sorts after the key.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from .catalogue import Catalogue, Model
from .clock import iso_z
from .refresh import Schedule
from .tail import TailModel

SORTS = ("trendingScore", "downloads", "likes", "createdAt", "lastModified")
#: What the listing accepts in ``expand`` (``baseModels``/``childrenModelCount`` only work per repo).
EXPANDABLE = (
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
    "private",
    "sha",
)
#: Record keys when neither ``expand`` nor ``full`` is given, in the Hub's order.
DEFAULT_FIELDS = (
    "likes",
    "trendingScore",
    "private",
    "downloads",
    "tags",
    "pipeline_tag",
    "library_name",
    "createdAt",
    "modelId",
)
#: Every field, in the order the Hub writes them (an expand subset keeps this order).
FULL_FIELDS = (
    "author",
    "sha",
    "lastModified",
    "private",
    "gated",
    "disabled",
    "likes",
    "trendingScore",
    "downloads",
    "downloadsAllTime",
    "tags",
    "pipeline_tag",
    "library_name",
    "createdAt",
    "modelId",
    "safetensors",
    "widgetData",
    "transformersInfo",
    "cardData",
    "config",
    "spaces",
    "usedStorage",
    "siblings",
)
_ORDER = {name: i for i, name in enumerate(FULL_FIELDS)}
MAX_LIMIT = 1000


class BadRequest(ValueError):
    """A parameter the Hub would answer with 400."""


@dataclass(frozen=True, slots=True)
class Query:
    author: str | None
    search: str | None
    filters: tuple[str, ...]
    pipeline_tag: str | None
    sort: str
    limit: int
    fields: tuple[str, ...]
    after: tuple[float, str] | None  # the cursor's (sort value, _id): the page starts after it
    echo: tuple[tuple[str, str], ...]  # the request's parameters minus the cursor, effective sort included


def parse_query(pairs: Sequence[tuple[str, str]], page_size: int) -> Query:
    author = search = pipeline_tag = None
    filters: list[str] = []
    expand: list[str] = []
    sort = "trendingScore"
    limit = page_size
    full = card_data = config = False
    after = None
    echo: list[tuple[str, str]] = []
    has_sort = False
    for key, value in pairs:
        if key == "cursor":
            after = decode_cursor(value)
            continue
        echo.append((key, value))
        if key == "author":
            author = value or None  # an empty value filters nothing, as on the Hub
        elif key == "search":
            search = value or None
        elif key == "filter":
            if value:
                filters.append(value)
        elif key == "pipeline_tag":
            pipeline_tag = value or None
        elif key == "sort":
            if value not in SORTS:
                raise BadRequest(f"Invalid sort parameter {value!r}: expected one of {', '.join(SORTS)}")
            sort, has_sort = value, True
        elif key == "limit":
            try:
                limit = int(value)
            except ValueError:
                raise BadRequest(f"Invalid limit parameter {value!r}") from None
            if limit < 1:
                raise BadRequest("limit must be a positive integer")
            limit = min(limit, MAX_LIMIT)
        elif key in ("expand", "expand[]"):
            if value not in EXPANDABLE:
                raise BadRequest(f"Invalid expand parameter {value!r}: expected one of {', '.join(EXPANDABLE)}")
            expand.append(value)
        elif key == "full":
            full = value.lower() in ("true", "1")
        elif key == "cardData":
            card_data = value.lower() in ("true", "1")
        elif key == "config":
            config = value.lower() in ("true", "1")
    if not has_sort:
        # The Hub writes the effective sort into its next links.
        echo.append(("sort", sort))
    if expand:
        fields = tuple(sorted(dict.fromkeys(expand), key=_ORDER.__getitem__))
    elif full:
        fields = FULL_FIELDS
    else:
        fields = DEFAULT_FIELDS + (("cardData",) if card_data else ()) + (("config",) if config else ())
    return Query(author, search, tuple(filters), pipeline_tag, sort, limit, fields, after, tuple(echo))


def encode_cursor(value: float, oid: str) -> str:
    raw = json.dumps({"v": value, "i": oid}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_cursor(cursor: str) -> tuple[float, str]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        value, oid = data["v"], data["i"]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise BadRequest("Invalid cursor") from None
    if isinstance(value, bool) or not isinstance(value, int | float) or not isinstance(oid, str):
        raise BadRequest("Invalid cursor")
    return value, oid


def select(catalogue: Catalogue, q: Query, t: float) -> list[Model]:
    """The models matching ``q`` at instant ``t``, unsorted."""
    models: Iterable[Model] = catalogue.visible_by_author(q.author, t) if q.author is not None else catalogue.visible(t)
    if q.search:
        needle = q.search.lower()
        models = [m for m in models if needle in m.id_lower]
    if q.filters:
        wanted = set(q.filters)
        models = [m for m in models if wanted <= m.filter_keys]
    if q.pipeline_tag:
        models = [m for m in models if m.pipeline_tag == q.pipeline_tag]
    return list(models)


def sort_value(sort: str, schedule: Schedule, t: float) -> Callable[[Model], float]:
    """The value a listing sorts ``sort`` by (published counters for downloads, as the Hub sorts)."""
    if sort == "createdAt":
        return lambda m: m.created
    if sort == "lastModified":
        return lambda m: m.last_modified(t)
    if sort == "downloads":
        return lambda m: schedule.published(m, t)[1]
    if sort == "likes":
        return lambda m: m.dyn.likes(t)
    return lambda m: m.dyn.trending(t)


def next_link(base_url: str, q: Query, value: float, oid: str) -> str:
    params = [*q.echo, ("cursor", encode_cursor(value, oid))]
    return f'<{base_url}/api/models?{urlencode(params)}>; rel="next"'


_COUNTS = {"downloadsAllTime": 0, "downloads": 1, "likes": 2, "trendingScore": 3}
#: Fields whose value moves with the clock (besides the counts); the rest are cached per model.
_MOVING = frozenset({"lastModified", "sha"})
_MISSING = object()


def record(m: Model, t: float, fields: Sequence[str], schedule: Schedule) -> dict[str, object]:
    """One model as the listing shows it at ``t``: ``_id`` and ``id`` first, then ``fields`` in Hub order."""
    out: dict[str, object] = {"_id": m.oid, "id": m.id}
    counts: tuple[int, int, int, int] | None = None
    for name in fields:
        index = _COUNTS.get(name)
        if index is not None:
            if counts is None:
                counts = schedule.counts(m, t)
            out[name] = counts[index]
        else:
            value = _static(m, name, t)
            if value is not _MISSING:
                out[name] = value
    return out


def _dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def render(models: Sequence[Model | TailModel], t: float, fields: Sequence[str], schedule: Schedule) -> bytes:
    """``json.dumps([record(m, t, fields) for m in models])``, but from per-model cached JSON fragments of
    the fields that never change: a 1000-record page is mostly tags, and encoding them once is enough."""
    with_counts = any(f in _COUNTS for f in fields)
    out = []
    for m in models:
        if not isinstance(m, Model):  # a long-tail repo (hfwatch_sim.tail), built for this page only
            out.append(m.json(fields))
            continue
        cache = m.json_fragments
        head = cache.get("")
        if head is None:
            head = cache[""] = '{"_id":' + _dumps(m.oid) + ',"id":' + _dumps(m.id)
        parts = [head]
        counts = schedule.counts(m, t) if with_counts else (0, 0, 0, 0)
        for name in fields:
            index = _COUNTS.get(name)
            if index is not None:
                parts.append(f',"{name}":{counts[index]}')
                continue
            if name in _MOVING:
                parts.append(f',"{name}":' + _dumps(_static(m, name, t)))
                continue
            fragment = cache.get(name)
            if fragment is None:
                value = _static(m, name, t)
                fragment = cache[name] = "" if value is _MISSING else f',"{name}":' + _dumps(value)
            parts.append(fragment)
        parts.append("}")
        out.append("".join(parts))
    return ("[" + ",".join(out) + "]").encode("utf-8")


def _static(m: Model, name: str, t: float) -> object:
    """A field other than the four counts, or ``_MISSING`` when the Hub would leave it out."""
    if name == "pipeline_tag":
        return _MISSING if m.pipeline_tag is None else m.pipeline_tag
    if name == "library_name":
        return _MISSING if m.library_name is None else m.library_name
    if name == "safetensors":
        st = m.safetensors()
        return _MISSING if st is None else st
    if name == "author":
        return m.author
    if name == "tags":
        return list(m.tags)
    if name == "createdAt":
        return m.created_iso
    if name == "lastModified":
        return iso_z(int(m.last_modified(t)))
    if name == "private":
        return False
    if name == "disabled":
        return False
    if name == "gated":
        return m.gated
    if name == "modelId":
        return m.id
    if name == "sha":
        return m.sha(t)
    if name == "cardData":
        return _card_data(m)
    if name == "config":
        return _config(m)
    if name == "siblings":
        return [{"rfilename": f} for f in _files(m)]
    if name == "widgetData":
        return [{"text": "Hi, what can you help me with?"}] if m.pipeline_tag == "text-generation" else _MISSING
    if name == "transformersInfo":
        if m.library_name != "transformers":
            return _MISSING
        return {
            "auto_model": "AutoModelForCausalLM" if m.pipeline_tag == "text-generation" else "AutoModel",
            "pipeline_tag": m.pipeline_tag,
            "processor": "AutoTokenizer",
        }
    if name == "spaces":
        return []
    if name == "usedStorage":
        return int((m.params or 50_000_000) * (1 if m.fp8 else 2) * 1.02)
    return _MISSING


def _card_data(m: Model) -> dict[str, object]:
    card: dict[str, object] = {"license": m.license}
    if m.library_name:
        card["library_name"] = m.library_name
    if m.pipeline_tag:
        card["pipeline_tag"] = m.pipeline_tag
    if m.bases:
        card["base_model"] = list(m.bases) if len(m.bases) > 1 else m.bases[0]
        card["base_model_relation"] = m.relation
    card["tags"] = [t for t in m.tags if ":" not in t][:8]
    if "zh" in m.tags:
        card["language"] = ["en", "zh"]
    return card


def _config(m: Model) -> dict[str, object]:
    return {"architectures": [f"{m.arch.title().replace('_', '')}ForCausalLM"], "model_type": m.arch}


def _files(m: Model) -> list[str]:
    files = [".gitattributes", "README.md"]
    stem = m.id.split("/", 1)[1]
    if m.fmt == "gguf":
        base = stem.removesuffix("-GGUF").removesuffix("-i1")
        quants = (
            "Q2_K",
            "Q3_K_S",
            "Q3_K_M",
            "Q3_K_L",
            "Q4_0",
            "Q4_K_S",
            "Q4_K_M",
            "Q5_K_S",
            "Q5_K_M",
            "Q6_K",
            "Q8_0",
            "IQ2_XS",
            "IQ3_M",
            "IQ4_XS",
            "IQ4_NL",
            "f16",
        )
        return files + [f"{base}-{q}.gguf" for q in quants]
    if m.library_name is None:
        return [*files, "model.bin"]
    shards = max(1, min(163, (m.params or 1_000_000_000) // 4_000_000_000))
    files += ["LICENSE", "config.json", "generation_config.json"]
    if shards == 1:
        files.append("model.safetensors")
    else:
        files += [f"model-{i:05d}-of-{shards:05d}.safetensors" for i in range(1, shards + 1)]
        files.append("model.safetensors.index.json")
    files += [
        "special_tokens_map.json",
        "tokenizer.json",
        "tokenizer_config.json",
        "vocab.json",
        "merges.txt",
    ]
    return files
