"""The simulated Hub's families as the registry names them: the map the truth tests sum by."""

from __future__ import annotations

from hfwatch.registry import Registry
from hfwatch_sim import Truth
from hfwatch_sim.truth import TrueModel

__all__ = ["registry_ids", "true_family_name"]


def registry_ids(truth: Truth, registry: Registry) -> dict[str, str]:
    """Map the generator's family names ("InternLM/InternVL") to registry ids by the registry's names."""
    by_name = {f.name.split("/")[0].lower(): f.id for f in registry.families}
    names = {m.family for m in truth.models() if m.family}
    out = {name: by_name[name.split("/")[0].lower()] for name in names if name.split("/")[0].lower() in by_name}
    missing = names - out.keys()
    assert not missing, f"generator families with no registry family of that name: {sorted(missing)}"
    return out


def true_family_name(m: TrueModel) -> str | None:
    """The generator's family of a model. It leaves an untracked lab's own fine-tune of a tracked base (kind
    "first"/"indie" with `base_family` from its `base_model` tags) in no family; DESIGN §2 counts it for its
    base's family, so the truth here follows the generator's own lineage there."""
    return m.family or (m.base_family if m.kind in ("first", "indie") else None)
