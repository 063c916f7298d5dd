"""A small family's polls straight into a store: twelve models of one family, counters that move with time."""

from __future__ import annotations

from hfwatch.records import Attribution, Lane, ModelRecord, PollResult, Via
from hfwatch.store import Store

QWEN = Attribution(family="qwen", via=Via.ORG, country="CN", base_family="qwen", publisher_family="qwen")
DERIV = Attribution(family="qwen", via=Via.LINEAGE, country="CN", base_family="qwen", base_model="Qwen/Qwen3-8B")
GEMMA = Attribution(family="gemma", via=Via.ORG, country="US", base_family="gemma", publisher_family="gemma")
HOUR = 3600
T0 = 1_790_000_000 - 1_790_000_000 % HOUR


def records(t: int) -> tuple[list[ModelRecord], dict[str, Attribution]]:
    recs, attrs = [], {}
    for i in range(12):
        model_id = f"Qwen/m{i}" if i % 3 == 0 else f"fan{i}/m{i}"
        recs.append(
            ModelRecord(
                id=model_id,
                author=model_id.split("/")[0],
                downloads_30d=(i * 37) % 11 * 100 + t // HOUR % 5,
                downloads_all_time=1000 * i + t // HOUR,
                likes=i,
                trending_score=0,
                created_at=T0 - i * 86400,
            )
        )
        attrs[model_id] = QWEN if i % 3 == 0 else DERIV
    if t >= T0 + 5 * HOUR:  # a second family, first seen later
        recs.append(
            ModelRecord(
                id="google/gemma-x",
                author="google",
                downloads_30d=t // HOUR % 7,
                downloads_all_time=t // 60,
                likes=0,
                trending_score=0,
                created_at=T0,
            )
        )
        attrs["google/gemma-x"] = GEMMA
    return recs, attrs


def ingest(store: Store, t: int) -> None:
    """One slow poll at `t` of the models `records(t)` lists."""
    recs, attrs = records(t)
    store.ingest(PollResult(lane=Lane.SLOW, started=t, finished=t, records=recs, trending=[]), attrs, t=t)
