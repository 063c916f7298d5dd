"""Readers for the data files bundled in ``simhub/data`` (see its README for where each comes from)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources

#: The Hub's placeholder creation date for repos older than its creation-date records.
LEGACY_CREATED: float = datetime(2022, 3, 2, 23, 29, 4, tzinfo=UTC).timestamp()


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(io.StringIO("\n".join(lines)))]


def parse_date(text: str) -> float:
    """``YYYY-MM-DD``, ``YYYY-MM-DDTHH:MM:SS`` (UTC) or ``legacy`` -> Unix seconds."""
    if text == "legacy":
        return LEGACY_CREATED
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


@dataclass(frozen=True, slots=True)
class Family:
    name: str
    country: str
    orgs: tuple[str, ...]  # current namespaces
    related: tuple[str, ...]  # legacy or related namespaces
    patterns: tuple[str, ...]  # lowercase substrings of repo names


def families() -> list[Family]:
    out = []
    for row in _rows("family_orgs.csv"):

        def orgs(cell: str) -> tuple[str, ...]:
            # "AIDC-AI(->ATH-MaaS)" names a namespace and a note; "ZhipuAI(ModelScope)" is not on the Hub.
            names = []
            for part in cell.split(";"):
                part = part.strip()
                if not part or "(ModelScope)" in part:
                    continue
                names.append(re.sub(r"\(.*\)$", "", part))
            return tuple(names)

        out.append(
            Family(
                name=row["family"],
                country=row["country"],
                orgs=orgs(row["hf_orgs"]),
                related=orgs(row["legacy_or_related_orgs"]),
                patterns=tuple(p.strip().lower() for p in row["name_patterns"].split(";") if p.strip()),
            )
        )
    return out


def tracked_ids() -> list[str]:
    """First-party ids from the interconnects tracked-models list, in file order, without duplicates."""
    seen: dict[str, None] = {}
    for name in ("models.csv", "extra_models.csv"):
        for row in _rows(name):
            model_id = row.get("modelId", "")
            if "/" in model_id:
                seen.setdefault(model_id, None)
    return list(seen)


_PLAIN_PREFIX = re.compile(r"\^(?:[\w-]|\\\.)+$")


class NamePattern:
    """A regex from the eras table; plain ``^prefix`` patterns (most of them) skip the regex engine."""

    __slots__ = ("prefix", "regex")

    def __init__(self, pattern: str) -> None:
        if _PLAIN_PREFIX.match(pattern):
            self.prefix: str | None = pattern[1:].replace("\\.", ".")
            self.regex: re.Pattern[str] | None = None
        else:
            self.prefix, self.regex = None, re.compile(pattern)

    def search(self, name: str) -> bool:
        if self.prefix is not None:
            return name.startswith(self.prefix)
        assert self.regex is not None
        return self.regex.search(name) is not None


def release_eras() -> dict[str, list[tuple[NamePattern, str]]]:
    eras: dict[str, list[tuple[NamePattern, str]]] = {}
    for row in _rows("release_eras.csv"):
        eras.setdefault(row["org"], []).append((NamePattern(row["pattern"]), row["date"]))
    return eras


def date_corrections() -> dict[str, str]:
    """Hub ``created_at`` days recorded by interconnects for some repos."""
    return {row["model_id"]: row["hf_created_at"] for row in _rows("release_date_corrections.csv")}


def parameter_counts() -> dict[str, float]:
    """Total parameters in billions, where interconnects recorded them."""
    out = {}
    for row in _rows("model_parameters.csv"):
        try:
            out[row["model_id"]] = float(row["total_params_b"])
        except ValueError:
            continue
    return out


@dataclass(frozen=True, slots=True)
class ExtraRepo:
    id: str
    created: str
    pipeline_tag: str | None
    library_name: str | None
    kind: str
    relation: str | None
    bases: tuple[str, ...]
    monthly: int | None
    gated: str | None


def extra_repos() -> list[ExtraRepo]:
    return [
        ExtraRepo(
            id=row["id"],
            created=row["created"],
            pipeline_tag=row["pipeline_tag"] or None,
            library_name=row["library_name"] or None,
            kind=row["kind"],
            relation=row["relation"] or None,
            bases=tuple(b for b in row["bases"].split(";") if b),
            monthly=int(row["monthly"]) if row["monthly"] else None,
            gated=row["gated"] or None,
        )
        for row in _rows("extra_repos.csv")
    ]


def first_party_bases() -> dict[str, tuple[str, tuple[str, ...]]]:
    return {row["id"]: (row["relation"], tuple(row["bases"].split(";"))) for row in _rows("first_party_bases.csv")}


@dataclass(frozen=True, slots=True)
class ReleaseStyle:
    family: str
    org: str
    weight: float
    patterns: tuple[str, ...]
    stems: tuple[str, ...]
    sizes: tuple[str, ...]
    suffixes: tuple[str, ...]


def release_styles() -> list[ReleaseStyle]:
    return [
        ReleaseStyle(
            family=row["family"],
            org=row["org"],
            weight=float(row["weight"]),
            patterns=tuple(row["patterns"].split(";")),
            stems=tuple(row["stems"].split(";")),
            sizes=tuple(row["sizes"].split(";")),
            suffixes=tuple(row["suffixes"].split(";")),
        )
        for row in _rows("future_releases.csv")
    ]
