"""The family registry: which Hub orgs and repo names belong to which model family, and its country.

The data lives in TOML (`hfwatch/data/families.toml`, documented in its header) so that a user file can add
a family, add an org or change a country without touching code. The package holds the family model
(`model`), the regex prefilter that keeps matching fast (`prefilter`), countries and regions
(`countries`), and loading with validation (`loading`, `locator`).
"""

from __future__ import annotations

from hfwatch.registry.countries import ISO_3166_ALPHA2, REGIONS, region_of
from hfwatch.registry.loading import BUNDLED_PATH, RegistryError, default_user_registry_path, load_registry
from hfwatch.registry.model import Family, OrgRule, Registry

__all__ = [
    "BUNDLED_PATH",
    "ISO_3166_ALPHA2",
    "REGIONS",
    "Family",
    "OrgRule",
    "Registry",
    "RegistryError",
    "default_user_registry_path",
    "load_registry",
    "region_of",
]
