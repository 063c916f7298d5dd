"""Which family a model's downloads count for: pure functions over records and the registry, no I/O.

Three rules, first match wins (DESIGN §4):

1. **org** — the namespace is a family org and the repo name passes that org's filter: first-party. This
   wins over lineage, so ``deepseek-ai/DeepSeek-R1-Distill-Qwen-7B`` counts once, for DeepSeek, while its
   ``base_family`` still says Qwen.
2. **lineage** — a ``base_model:`` tag names a model that is attributed: a derivative of that family.
   Re-uploaders (unsloth, bartowski...) land here.
3. **name** — a family pattern matches the repo name: a derivative, with lower confidence.

A parent is looked up in the batch first (attributed before its children, transitively), then in
``known`` (what the store already attributed), and failing both it is judged by its id alone (org rule,
then name rule), because a tag like ``base_model:Qwen/Qwen3-8B`` is evidence enough even when
``Qwen/Qwen3-8B`` itself was never fetched.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from hfwatch.gcpause import gc_paused
from hfwatch.pacing import checkpoint_of, paced
from hfwatch.records import Attribution, ModelRecord, Via
from hfwatch.registry import Family, Registry

__all__ = ["Resolver", "attribute_all", "attribute_id", "attribute_one", "parse_base_models"]

Resolver = Callable[[str], Attribution | None]

_PREFIX = "base_model:"
# The id is a Hub repo id: "namespace/name", or a bare "name" for the old canonical models (gpt2).
_BASE_TAG = re.compile(
    r"base_model:(?:((?i:finetune|quantized|adapter|merge)):)?\s*"
    r"([A-Za-z0-9][\w.-]*(?:/[A-Za-z0-9_.][\w.-]*)?)\s*\Z",
    re.ASCII,
)


def parse_base_models(tags: Iterable[str]) -> list[tuple[str | None, str]]:
    """The base models named by ``base_model:<id>`` / ``base_model:<relation>:<id>`` tags.

    The Hub usually sends both forms for one parent; they are merged into one entry at the position of
    the first, keeping the relation when any form has it. Malformed tags are skipped.
    """
    if type(tags) is not tuple and type(tags) is not list:
        tags = list(tags)  # read twice below
    try:
        if _PREFIX not in "\n".join(tags):  # most records, in one C call: keep this path cheap
            return []
        wanted = [t for t in tags if t.startswith(_PREFIX)]
    except (AttributeError, TypeError):  # a non-string tag from a hostile or broken listing
        wanted = [t for t in tags if isinstance(t, str) and t.startswith(_PREFIX)]
    if not wanted:
        return []
    found: dict[str, int] = {}
    out: list[tuple[str | None, str]] = []
    for tag in wanted:
        m = _BASE_TAG.match(tag)
        if m is None:
            continue
        relation, base = m.group(1, 2)
        if relation is not None:
            relation = relation.lower()
        key = base.lower()  # Hub ids are case-insensitive
        index = found.get(key)
        if index is None:
            found[key] = len(out)
            out.append((relation, base))
        elif relation is not None and out[index][0] is None:
            out[index] = (relation, out[index][1])
    return out


def _split(model_id: str) -> tuple[str, str]:
    namespace, sep, name = model_id.partition("/")
    return (namespace, name) if sep else ("", model_id)


def _make(
    family: Family, via: Via, base_family: str | None, publisher: Family | None, base_model: str | None
) -> Attribution:
    return Attribution(
        family.id,
        via,
        family.country,
        base_family or family.id,
        publisher.id if publisher is not None else None,
        base_model,
    )


def attribute_id(model_id: str, registry: Registry) -> Attribution | None:
    """What a bare repo id says by itself (org rule, then name rule); None when it says nothing."""
    namespace, name = _split(model_id)
    publisher = registry.org_family(namespace, name) if namespace else None
    if publisher is not None:
        return _make(publisher, Via.ORG, None, publisher, None)
    family = registry.name_family(name)
    if family is not None:
        return _make(family, Via.NAME, None, None, None)
    return None


class _Batch:
    """Attribution of one batch of records: the lookups and the results shared between its records.

    Equal attributions are one object (most derivatives of a base share theirs), and what a base id or a
    tag list says is worked out once per batch.
    """

    __slots__ = ("_by_id", "_by_name", "_made", "_tags", "registry", "resolve")

    def __init__(self, registry: Registry, resolve: Resolver) -> None:
        self.registry = registry
        self.resolve = resolve
        self._by_id: dict[str, Attribution | None] = {}
        self._made: dict[tuple, Attribution] = {}
        self._tags: dict[tuple[str, ...], list[tuple[str | None, str]]] = {}
        # Re-uploads repeat a name under many namespaces (X-GGUF by several quantizers).
        self._by_name: dict[str, Family | None] = {}

    def bases(self, tags: tuple[str, ...]) -> list[tuple[str | None, str]]:
        try:
            found = self._tags.get(tags)
        except TypeError:  # not a tuple of strings: nothing to share
            return parse_base_models(tags)
        if found is None:
            found = self._tags[tags] = parse_base_models(tags)
        return found

    def by_id(self, base_id: str) -> Attribution | None:
        key = base_id.lower()
        if key not in self._by_id:
            self._by_id[key] = attribute_id(base_id, self.registry)
        return self._by_id[key]

    def make(
        self, family: Family, via: Via, base_family: str | None, publisher: Family | None, base_model: str | None
    ) -> Attribution:
        key = (family.id, via, base_family, publisher.id if publisher is not None else None, base_model)
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = _make(family, via, base_family, publisher, base_model)
        return made

    def attribute(self, record: ModelRecord, bases: list[tuple[str | None, str]]) -> Attribution:
        registry = self.registry
        model_id = record.id
        namespace, sep, name = model_id.partition("/")
        if not sep:
            namespace, name = "", model_id
        if record.author:
            namespace = record.author
        publisher = registry.org_family(namespace, name) if namespace else None
        base_model = bases[0][1] if bases else None

        # The first parent that leads to a family: for a merge, the first base that resolves. A stored
        # attribution naming a family the registry no longer has (a user file changed) counts as unknown.
        parent: Family | None = None
        root: str | None = None
        for _relation, base_id in bases:
            found = self.resolve(base_id)
            if found is None or found.family not in registry:
                found = self.by_id(base_id)
            if found is not None and found.family in registry:
                parent = registry.get(found.family)  # type: ignore[arg-type]
                root = found.base_family if found.base_family in registry else parent.id
                break

        if publisher is not None:
            return self.make(publisher, Via.ORG, root, publisher, base_model)
        if parent is not None:
            return self.make(parent, Via.LINEAGE, root, None, base_model)
        if name in self._by_name:
            family = self._by_name[name]
        else:
            family = self._by_name[name] = registry.name_family(name)
        if family is not None:
            return self.make(family, Via.NAME, None, None, base_model)
        if base_model is None:
            return _NOTHING
        return Attribution(family=None, via=None, country=None, base_model=base_model)


_NOTHING = Attribution(family=None, via=None, country=None)


def attribute_one(record: ModelRecord, registry: Registry, resolve: Resolver) -> Attribution:
    """Attribute one record; `resolve(base_id)` returns the attribution of a parent, or None if unknown."""
    return _Batch(registry, resolve).attribute(record, parse_base_models(record.tags))


def attribute_all(
    records: Iterable[ModelRecord], registry: Registry, known: Resolver | None = None
) -> dict[str, Attribution]:
    """Attribute a batch, every record included (family None when nothing matched), keyed by id.

    A parent in the batch is attributed before its children, so lineage follows chains of any length
    (quant of fine-tune of base). The walk is iterative: a long chain cannot exhaust the stack, and a
    cycle (A→B→A) is cut at the back-edge, which counts as an unresolved parent.
    """
    with gc_paused():
        return _attribute_all(records, registry, known)


def _attribute_all(
    records: Iterable[ModelRecord], registry: Registry, known: Resolver | None
) -> dict[str, Attribution]:
    # Every walk over the batch passes the poll's checkpoint, not only the one over `records` (a Paced list):
    # attributing a 50k-model poll held the GIL half a second, and keys pressed meanwhile took twice as long.
    pace = checkpoint_of(records)
    recs: dict[str, ModelRecord] = {}
    for record in records:
        recs[record.id] = record  # a repeated id: the later listing is the fresher one
    canonical = {rid.lower(): rid for rid in paced(recs, pace)}
    done: dict[str, Attribution] = {}

    def resolve(base_id: str) -> Attribution | None:
        rid = canonical.get(base_id.lower())
        if rid is not None:
            return done.get(rid)  # None while in progress: the back-edge of a cycle
        return known(base_id) if known is not None else None

    batch = _Batch(registry, resolve)
    bases = {rid: batch.bases(r.tags) for rid, r in paced(recs.items(), pace)}
    in_progress: set[str] = set()
    for start, first in paced(bases.items(), pace):
        if start in done:
            continue
        if not first or _parents_ready(first, canonical, done):  # nothing to order first
            done[start] = batch.attribute(recs[start], first)
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        in_progress.add(start)
        while stack:
            node, i = stack[-1]
            parents = bases[node]
            child: str | None = None
            while i < len(parents):
                pid = canonical.get(parents[i][1].lower())
                i += 1
                if pid is not None and pid not in done and pid not in in_progress:
                    child = pid
                    break
            if child is not None:
                stack[-1] = (node, i)
                stack.append((child, 0))
                in_progress.add(child)
                continue
            stack.pop()
            in_progress.discard(node)
            done[node] = batch.attribute(recs[node], parents)
    return {rid: done[rid] for rid in paced(recs, pace)}


def _parents_ready(
    parents: list[tuple[str | None, str]], canonical: dict[str, str], done: dict[str, Attribution]
) -> bool:
    """No parent of this batch is still to be attributed (most lineage names a base the batch does not list)."""
    for _relation, base_id in parents:
        pid = canonical.get(base_id.lower())
        if pid is not None and pid not in done:
            return False
    return True
