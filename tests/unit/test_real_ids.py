"""Attribution of >= 150 real Hub ids against labels taken from model cards and org pages.

Each id is attributed from what a listing gives (id, author, and the base_model tags where the card names a
parent), all in one batch as one poll would. A failure prints the confusion table (expected -> got) so a
registry change that moves many ids at once shows where they went.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from hfwatch.analysis.attribution import attribute_all
from hfwatch.records import Attribution, ModelRecord
from hfwatch.registry import Registry, load_registry

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "real_ids.csv"


@dataclass(frozen=True)
class Case:
    id: str
    family: str | None
    base_family: str | None
    base_model: str | None
    source: str

    def record(self) -> ModelRecord:
        tags: tuple[str, ...] = ()
        if self.base_model:
            # As the Hub sends them: the plain form and the one with the relation.
            tags = (f"base_model:{self.base_model}", f"base_model:finetune:{self.base_model}")
        return ModelRecord(id=self.id, author=self.id.partition("/")[0], tags=tags)


def _cases() -> list[Case]:
    lines = [line for line in FIXTURE.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    cases = []
    for row in csv.DictReader(lines):
        family = row["family"] or None
        cases.append(Case(row["id"], family, row["base_family"] or family, row["base_model"] or None, row["source"]))
    return cases


CASES = _cases()


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


@pytest.fixture(scope="module")
def attributed(registry: Registry) -> dict[str, Attribution]:
    return attribute_all([c.record() for c in CASES], registry)


def _confusion(wrong: list[tuple[Case, Attribution]]) -> str:
    pairs = Counter((c.family or "-", a.family or "-") for c, a in wrong)
    lines = ["expected -> got : count"] + [f"{e} -> {g} : {n}" for (e, g), n in pairs.most_common()]
    lines += [f"  {c.id}: expected {c.family or '-'}, got {a.family or '-'} ({c.source})" for c, a in wrong]
    return "\n".join(lines)


def test_fixture_is_large_and_well_formed(registry: Registry) -> None:
    ids = [c.id for c in CASES]
    assert len(ids) >= 150
    assert len(set(ids)) == len(ids), "an id is listed twice"
    assert all(c.source for c in CASES), "every label names its source"
    unknown = {c.family for c in CASES if c.family} | {c.base_family for c in CASES if c.base_family}
    assert unknown <= {f.id for f in registry}, unknown - {f.id for f in registry}
    # both answers are represented, and most families
    assert sum(c.family is None for c in CASES) >= 25
    assert len({c.family for c in CASES if c.family}) >= 30


def test_every_real_id_counts_for_its_family(attributed: dict[str, Attribution]) -> None:
    wrong = [(c, attributed[c.id]) for c in CASES if attributed[c.id].family != c.family]
    assert not wrong, f"{len(wrong)} of {len(CASES)} ids attributed wrongly:\n{_confusion(wrong)}"


def test_base_family_follows_lineage(attributed: dict[str, Attribution]) -> None:
    wrong = [
        f"{c.id}: base_family expected {c.base_family}, got {attributed[c.id].base_family}"
        for c in CASES
        if c.family is not None and attributed[c.id].base_family != c.base_family
    ]
    assert not wrong, "\n".join(wrong)
