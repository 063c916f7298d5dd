"""The family registry: the bundled file, user overrides, and refusing bad files with file:line: reason."""

from __future__ import annotations

import re
import textwrap
import tomllib
from pathlib import Path

import pytest

from hfwatch.registry import (
    BUNDLED_PATH,
    ISO_3166_ALPHA2,
    REGIONS,
    Family,
    OrgRule,
    Registry,
    RegistryError,
    default_user_registry_path,
    load_registry,
    region_of,
)

_IDS = """
qwen llama deepseek kimi glm minimax mistral gemma phi gpt-oss nemotron granite olmo smollm falcon internlm
yi baichuan hunyuan ernie seed step ling mimo longcat minicpm command jamba exaone solar lfm apertus
llm-jp sarvam
"""
FAMILY_IDS = _IDS.split()


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


def write(tmp_path: Path, text: str, name: str = "families.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def line_of(path: Path, needle: str, nth: int = 1) -> int:
    hits = [i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line]
    return hits[nth - 1]


def refused(path: Path) -> RegistryError:
    with pytest.raises(RegistryError) as info:
        load_registry(path)
    err = info.value
    assert "\n" not in str(err)
    return err


# ------------------------------------------------------------------------------------------ bundled file


def test_bundled_loads(registry: Registry) -> None:
    assert len(registry) >= 34
    assert registry.sources == (str(BUNDLED_PATH),)
    assert [f.id for f in registry][: len(FAMILY_IDS)] == FAMILY_IDS
    for fid in FAMILY_IDS:
        assert fid in registry
        assert registry.get(fid).id == fid


def test_bundled_families_are_complete(registry: Registry) -> None:
    for fam in registry:
        assert fam.name and fam.developer
        assert fam.country in ISO_3166_ALPHA2
        assert fam.region in REGIONS
        assert fam.region == region_of(fam.country)
        assert fam.orgs, fam.id
        assert all(isinstance(o, OrgRule) for o in fam.orgs)


def test_bundled_countries(registry: Registry) -> None:
    assert {"CN", "US", "FR", "AE", "CA", "IL", "KR", "CH", "JP", "IN"} <= set(registry.countries())
    assert registry.countries() == sorted(registry.countries())
    assert registry.get("qwen").region == "china"
    assert registry.get("mistral").region == "eu"
    assert registry.get("apertus").region == "eu"
    assert registry.get("falcon").region == "other"
    assert registry.get("jamba").region == "other"  # IL: ISO-derived, not ATOM's "us"
    assert registry.get("llama").region == "us"


def test_legacy_orgs(registry: Registry) -> None:
    (glm, thudm) = registry.org_rules("THUDM")[0]
    assert glm.id == "glm" and thudm.legacy
    assert registry.org_rules("CohereForAI")[0][0].id == "command"
    assert registry.org_rules("CohereForAI")[0][1].legacy
    (llama, facebook) = registry.org_rules("facebook")[0]
    assert llama.id == "llama" and facebook.legacy and facebook.include
    assert registry.org_rules("Yi")[0][0].id == "yi"


def test_org_rules_case_insensitive(registry: Registry) -> None:
    assert [f.id for f, _ in registry.org_rules("GOOGLE")] == ["gemma"]
    assert [f.id for f, _ in registry.org_rules("qwen")] == ["qwen"]
    assert registry.org_rules("nobody-at-all") == []


def test_reuploaders(registry: Registry) -> None:
    for name in ("unsloth", "bartowski", "lmstudio-community", "mlx-community", "thebloke", "quantfactory"):
        assert name in registry.reuploaders
    assert all(r == r.lower() for r in registry.reuploaders)
    assert registry.is_reuploader("TheBloke")


def test_get_unknown_raises(registry: Registry) -> None:
    with pytest.raises(KeyError):
        registry.get("nope")
    assert "nope" not in registry


@pytest.mark.parametrize(
    ("country", "region"),
    [
        ("CN", "china"),
        ("US", "us"),
        ("FR", "eu"),
        ("de", "eu"),
        ("CH", "eu"),
        ("GB", "eu"),
        ("NO", "eu"),
        ("AE", "other"),
        ("IL", "other"),
        ("KR", "other"),
        ("CA", "other"),
        ("JP", "other"),
        ("HK", "other"),
    ],
)
def test_region_of(country: str, region: str) -> None:
    assert region_of(country) == region
    assert Registry.region_of(country) == region


# ----------------------------------------------------------------------------------------- org filters


@pytest.mark.parametrize(
    ("org", "name", "family"),
    [
        ("google", "gemma-3-27b-it", "gemma"),
        ("google", "paligemma2-3b-pt-224", "gemma"),
        ("google", "t5-base", None),
        ("google", "flan-t5-xl", None),
        ("google", "siglip-so400m-patch14-384", None),
        ("microsoft", "Phi-4-mini-instruct", "phi"),
        ("microsoft", "phi-1_5", "phi"),
        ("microsoft", "Phi-3.5-MoE-instruct", "phi"),
        ("microsoft", "Phi-mini-MoE-instruct", "phi"),
        ("microsoft", "deberta-v3-base", None),
        ("microsoft", "Florence-2-large", None),
        ("openai", "gpt-oss-120b", "gpt-oss"),
        ("openai", "whisper-large-v3", None),
        ("openai", "clip-vit-base-patch32", None),
        ("nvidia", "Llama-3.1-Nemotron-70B-Instruct-HF", "nemotron"),
        ("nvidia", "NVIDIA-Nemotron-3-Nano-30B-A3B-BF16", "nemotron"),
        ("nvidia", "parakeet-tdt-0.6b-v2", None),
        ("tencent", "Hunyuan-7B-Instruct", "hunyuan"),
        ("tencent", "HY-MT1.5-7B", "hunyuan"),
        # A point release is the org's own model as much as Hy3 is: the org rule must take it (it once fell
        # through to name matching and counted as a third-party derivative of Tencent's own family).
        ("tencent", "Hy3", "hunyuan"),
        ("tencent", "Hy3.5-preview", "hunyuan"),
        ("tencent", "Hy3.1", "hunyuan"),
        ("tencent", "HunyuanVideo", None),
        ("tencent", "Hunyuan3D-2", None),
        ("tencent", "Penguin-VL-8B", None),
        ("baidu", "ERNIE-4.5-21B-A3B-PT", "ernie"),
        ("baidu", "Unlimited-OCR", None),
        ("facebook", "opt-125m", None),
        ("facebook", "llama-7b", "llama"),
        ("Alibaba-NLP", "gte-Qwen2-7B-instruct", None),
        ("Alibaba-NLP", "gte-large-en-v1.5", None),
        ("Qwen", "Qwen3-8B", "qwen"),
        ("Qwen", "QwQ-32B", "qwen"),
        ("Qwen", "Qwen-Image", None),
        ("allenai", "OLMo-2-1124-7B", "olmo"),
        ("allenai", "Llama-3.1-Tulu-3-8B", "olmo"),
        ("allenai", "scibert_scivocab_uncased", None),
        ("HuggingFaceTB", "SmolLM3-3B", "smollm"),
        ("HuggingFaceTB", "fineweb-edu-classifier", None),
        ("stepfun-ai", "Step-3", "step"),
        ("inclusionAI", "Ling-lite", "ling"),
        ("XiaomiMiMo", "MiMo-7B-RL", "mimo"),
        ("01-ai", "Yi-34B", "yi"),
        ("THUDM", "chatglm3-6b", "glm"),
        ("zai-org", "CogVideoX-5b", None),
    ],
)
def test_org_family(registry: Registry, org: str, name: str, family: str | None) -> None:
    fam = registry.org_family(org, name)
    assert (fam.id if fam else None) == family


# ---------------------------------------------------------------------------------------- name patterns


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("Meta-Llama-3.1-8B-Instruct-GGUF", "llama"),
        ("CodeLlama-7b-hf", "llama"),
        ("dolphin-2.9-llama3-8b", "llama"),
        ("Phind-CodeLlama-34B-v2", "llama"),
        ("llama.cpp", None),
        ("llamacpp-python-wheels", None),
        ("TinyLlama-1.1B-Chat-v1.0", None),
        ("tinyllama-finetune", None),
        ("open_llama_7b", None),
        ("OpenLLaMA-13B", None),
        ("llava-v1.6-vicuna-7b", None),
        ("llava-llama-3-8b-v1_1", None),
        ("llamafile", None),
        ("ollama-models", None),
        ("LLaMA-Factory", None),
        ("phi-2", "phi"),
        ("Phi-3.5-mini-instruct-GGUF", "phi"),
        ("dolphin-2_6-phi-2", "phi"),
        ("dolphin-mistral-7b", "mistral"),
        ("Phind-v2", None),
        ("sophia-7b", None),
        ("DeepSeek-R1-Distill-Qwen-7B-GGUF", "deepseek"),
        ("Qwen2.5-Coder-7B-Instruct-abliterated", "qwen"),
        ("QwQ-32B-Preview", "qwen"),
        ("gte-Qwen2-7B-instruct", None),
        ("Qwen-Image-Lightning", None),
        ("Mixtral-8x7B-Instruct-v0.1", "mistral"),
        ("Codestral-22B-v0.1", "mistral"),
        ("OpenHermes-2.5-Mistral-7B", "mistral"),
        ("gemma-2-9b-it-SimPO", "gemma"),
        ("gpt-oss-20b-GGUF", "gpt-oss"),
        ("ChatGLM3-6B-128k", "glm"),
        ("GLM-4.5-Air-GGUF", "glm"),
        ("BigGLM", None),
        ("Kimi-K2-Instruct-GGUF", "kimi"),
        ("Kimiko-7b", None),
        ("Yi-1.5-9B-Chat", "yi"),
        ("Nous-Hermes-2-Yi-34B", "yi"),
        ("yichen-7b", None),
        ("Ling-lite-1.5", "ling"),
        ("Ring-mini-2.0-GGUF", "ling"),
        ("ring-attention-demo", None),
        ("step-1000", None),
        ("MiMo-7B-RL-GGUF", "mimo"),
        ("mimo-unet", None),
        ("ERNIE-4.5-0.3B-PT-GGUF", "ernie"),
        ("bernie-bot", None),
        ("c4ai-command-r-plus-GGUF", "command"),
        ("aya-23-8B", "command"),
        ("tiny-aya-global", "command"),
        ("papaya-7b", None),
        ("SOLAR-10.7B-Instruct-v1.0", "solar"),
        ("LFM2-1.2B-GGUF", "lfm"),
        ("Seed-OSS-36B-Instruct", "seed"),
        ("seedling-1b", None),
        ("SmolLM2-135M-Instruct", "smollm"),
        ("internlm2_5-7b-chat", "internlm"),
        ("InternVL3-8B", "internlm"),
        ("Hunyuan-7B-Instruct-GGUF", "hunyuan"),
        ("HunyuanVideo-gguf", None),
        ("t5-base", None),
        ("bert-base-uncased", None),
        ("whisper-large-v3", None),
        ("Llama-3.1-Nemotron-70B-Instruct-HF", "llama"),  # earliest word wins; its lineage says Nemotron
        ("Mistral-NeMo-Minitron-8B-Base", "mistral"),
        ("", None),
        ("Qwën-7B", None),  # non-ASCII names take the unfiltered path
        ("Ünïcode-qwen-7b", "qwen"),
    ],
)
def test_name_family(registry: Registry, name: str, family: str | None) -> None:
    fam = registry.name_family(name)
    assert (fam.id if fam else None) == family


def test_family_matches_name_and_exclusions(registry: Registry) -> None:
    llama = registry.get("llama")
    assert llama.matches_name("Llama-3.2-1B")
    assert not llama.matches_name("TinyLlama-1.1B")
    assert llama.is_excluded("TinyLlama-1.1B")
    assert not llama.is_excluded("Llama-3.2-1B")
    phi = registry.get("phi")
    assert not phi.matches_name("dolphin-2.9")
    assert not registry.get("step").matches_name("Step-3")  # org-only family


def test_org_rule_matches() -> None:
    assert OrgRule("x").matches("anything")
    rule = OrgRule("google", include=("gemma",))
    assert rule.matches("GEMMA-2b") and not rule.matches("t5-base")


def test_family_region_derived() -> None:
    fam = Family("x", "X", "Dev", "DE")
    assert fam.region == "eu"
    assert Family("y", "Y", "Dev", "SG", orgs=(OrgRule("a"),)).orgs == (OrgRule("a"),)


def test_patterns_with_backrefs_or_flags_still_work() -> None:
    fams = [
        Family("a", "A", "A", "US", patterns=(r"(ab)\1",)),
        Family("b", "B", "B", "US", patterns=(r"(?i)zed", r"zz+")),
        Family("c", "C", "C", "US", patterns=(r"a|b",)),
    ]
    reg = Registry(fams)
    found = reg.name_family("x-abab")
    assert found is not None and found.id == "a"
    assert reg.get("b").matches_name("ZED-7b")
    assert reg.get("c").matches_name("b")


def test_registry_rejects_duplicate_ids_in_code() -> None:
    with pytest.raises(ValueError):
        Registry([Family("a", "A", "A", "US"), Family("a", "B", "B", "US")])


def test_default_user_path() -> None:
    path = default_user_registry_path()
    assert path.name == "families.toml"
    assert "hfwatch" in str(path.parent)


# -------------------------------------------------------------------------------------- user overrides


def test_missing_user_file_is_ignored(tmp_path: Path) -> None:
    reg = load_registry(tmp_path / "absent.toml")
    assert reg.sources == (str(BUNDLED_PATH),)
    assert len(load_registry(None)) == len(reg)


def test_user_override_merges(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        reuploaders = ["MyQuants"]

        [[family]]
        id = "qwen"
        [[family.org]]
        name = "my-qwen-mirror"

        [[family]]
        id = "mistral"
        country = "de"

        [[family]]
        id = "tiny"
        name = "Tiny"
        country = "SG"
        patterns = ['^tiny-lm']
        search = ["tiny-lm"]
        [[family.org]]
        name = "tiny-lab"
        """,
    )
    reg = load_registry(path)
    assert reg.sources == (str(BUNDLED_PATH), str(path))
    qwen = reg.get("qwen")
    assert qwen.orgs[0].name == "Qwen"
    assert qwen.orgs[-1] == OrgRule("my-qwen-mirror")
    assert qwen.patterns == load_registry().get("qwen").patterns  # untouched keys stay
    assert reg.org_family("My-Qwen-Mirror", "anything").id == "qwen"  # type: ignore[union-attr]
    mistral = reg.get("mistral")
    assert (mistral.country, mistral.region, mistral.name) == ("DE", "eu", "Mistral")
    tiny = reg.get("tiny")
    assert (tiny.developer, tiny.region, tiny.search) == ("Tiny", "other", ("tiny-lm",))
    assert [f.id for f in reg][-1] == "tiny"
    assert len(reg) == len(load_registry()) + 1
    assert "myquants" in reg.reuploaders and "unsloth" in reg.reuploaders
    assert "SG" in reg.countries()


def test_user_override_replaces_lists_and_org_filters(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [[family]]
        id = "gemma"
        patterns = ['gemma', 'gemmasutra']
        [[family.org]]
        name = "google"
        include = ['gemma', 'recurrent']
        """,
    )
    gemma = load_registry(path).get("gemma")
    assert gemma.patterns == ("gemma", "gemmasutra")
    assert [o.include for o in gemma.orgs] == [("gemma", "recurrent")]


def test_user_can_move_an_org(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [[family]]
        id = "llama"
        [[family.org]]
        name = "meta-models"
        remove = true

        [[family]]
        id = "muse"
        name = "Muse"
        developer = "Meta"
        country = "US"
        [[family.org]]
        name = "meta-models"
        """,
    )
    reg = load_registry(path)
    assert [f.id for f, _ in reg.org_rules("meta-models")] == ["muse"]


# ------------------------------------------------------------------------------------------ bad files


def test_unknown_family_key(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [[family]]
        id = "qwen"
        colour = "red"
        """,
    )
    err = refused(path)
    assert str(err).startswith(f"{path}:3: unknown key 'colour'")
    assert (err.file, err.line) == (str(path), 3)


def test_unknown_org_key_points_at_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        # my families
        [[family]]
        id = "qwen"
        [[family.org]]
        name = "a-mirror"
        [[family.org]]
        name = "b-mirror"
        legacy = false
        filter = ['x']
        """,
    )
    assert str(refused(path)).startswith(f"{path}:9: unknown key 'filter' in [[family.org]]")


def test_unknown_top_level_key(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        reuploaders = []
        familys = []
        """,
    )
    assert str(refused(path)).startswith(f"{path}:2: unknown key 'familys'")


@pytest.mark.parametrize(("country", "why"), [("XX", "officially assigned"), ("China", "alpha-2"), ("C1", "alpha-2")])
def test_bad_country(tmp_path: Path, country: str, why: str) -> None:
    path = write(
        tmp_path,
        f"""
        [[family]]
        id = "qwen"
        name = "Qwen"

        [[family]]
        id = "mistral"
        country = "{country}"
        """,
    )
    msg = str(refused(path))
    assert msg.startswith(f"{path}:7: country '{country}'")
    assert why in msg


def test_duplicate_family_id(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [[family]]
        id = "alpha"
        name = "Alpha"
        country = "US"

        [[family]]
        id = "alpha"
        country = "FR"
        """,
    )
    msg = str(refused(path))
    assert msg.startswith(f"{path}:7: duplicate family id 'alpha'")
    assert "line 2" in msg


def test_duplicate_org_across_families(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [[family]]
        id = "alpha"
        name = "Alpha"
        country = "US"
        [[family.org]]
        name = "shared-lab"

        [[family]]
        id = "beta"
        name = "Beta"
        country = "US"
        [[family.org]]
        name = "Shared-Lab"
        """,
    )
    msg = str(refused(path))
    assert msg.startswith(f"{path}:13: duplicate org 'Shared-Lab'")
    assert f"({path}:6)" in msg


def test_duplicate_org_against_bundled(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [[family]]
        id = "kimi"
        [[family.org]]
        name = "Qwen"
        """,
    )
    msg = str(refused(path))
    assert msg.startswith(f"{path}:4: duplicate org 'Qwen': family 'kimi' claims it but family 'qwen'")
    assert str(BUNDLED_PATH) in msg


def test_org_with_same_filter_overlaps(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [[family]]
        id = "x"
        name = "X"
        country = "US"
        [[family.org]]
        name = "google"
        include = ['gemma']
        """,
    )
    assert str(refused(path)).startswith(f"{path}:6: duplicate org 'google'")


def test_org_with_distinct_filters_is_allowed(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [[family]]
        id = "t5"
        name = "T5"
        country = "US"
        [[family.org]]
        name = "google"
        include = ['^(flan-)?t5']
        """,
    )
    reg = load_registry(path)
    assert [f.id for f, _ in reg.org_rules("google")] == ["gemma", "t5"]
    assert reg.org_family("google", "flan-t5-xl").id == "t5"  # type: ignore[union-attr]


def test_duplicate_org_within_a_family(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [[family]]
        id = "qwen"
        [[family.org]]
        name = "mirror"
        [[family.org]]
        name = "MIRROR"
        """,
    )
    assert str(refused(path)).startswith(f"{path}:6: duplicate org 'MIRROR' in family 'qwen'")


def test_bundled_regexes_compile_and_none_matches_everything() -> None:
    """The loader leaves the bundled file's regexes to attribution's first search: this is their check."""
    data = tomllib.loads(BUNDLED_PATH.read_text(encoding="utf-8"))
    checked = 0
    for fam in data["family"]:
        for key in ("patterns", "exclude"):
            for p in fam.get(key, []):
                compiled = re.compile(p, re.IGNORECASE)
                assert key != "patterns" or compiled.search("") is None, (fam["id"], p)
                checked += 1
        for org in fam.get("org", []):
            for p in org.get("include", []):
                re.compile(p, re.IGNORECASE)
                checked += 1
    assert checked >= len(FAMILY_IDS), "every family has at least one regex"


def test_bad_regex_in_multiline_array(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [[family]]
        id = "qwen"
        patterns = [
            'qwen',
            'qw(en',
        ]
        """,
    )
    msg = str(refused(path))
    assert msg.startswith(f"{path}:5: invalid regex 'qw(en' in 'patterns'")


def test_bad_regex_in_org_include(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [[family]]
        id = "qwen"
        [[family.org]]
        name = "m"
        include = ["[unclosed"]
        """,
    )
    assert str(refused(path)).startswith(f"{path}:5: invalid regex '[unclosed' in 'include'")


def test_pattern_matching_everything_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [[family]]
        id = "qwen"
        patterns = ['x*']
        """,
    )
    assert str(refused(path)).startswith(f"{path}:3: regex 'x*' in 'patterns' matches the empty string")


def test_toml_syntax_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [[family]]
        id = "qwen"
        country = CN
        """,
    )
    msg = str(refused(path))
    assert msg.startswith(f"{path}:3: TOML syntax error: ")
    assert "(at line" not in msg


def test_toml_error_at_end_of_document(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [[family]]
        id = "qwen"
        patterns = [
        """,
    )
    err = refused(path)
    assert err.line == 3
    assert str(err).startswith(f"{path}:3: TOML syntax error")


def test_missing_required_keys(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [[family]]
        id = "qwen"

        [[family]]
        id = "brand-new"
        name = "Brand New"
        """,
    )
    assert str(refused(path)).startswith(f"{path}:4: family 'brand-new' is missing the required key 'country'")
    path = write(
        tmp_path,
        """
        [[family]]
        name = "No Id"
        """,
    )
    assert str(refused(path)).startswith(f"{path}:1: [[family]] is missing the required key 'id'")


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("country = 86", "'country' must be a string"),
        ('patterns = "qwen"', "'patterns' must be a list of strings"),
        ("patterns = ['ok', 3]", "'patterns' must be a list of strings"),
        ('search = [""]', "'search' contains an empty string"),
        ('name = ""', "'name' must not be empty"),
        ('id = "Not Lowercase"', "family id 'Not Lowercase'"),
    ],
)
def test_wrong_types(tmp_path: Path, line: str, reason: str) -> None:
    path = tmp_path / "families.toml"
    path.write_text(f'[[family]]\nid = "qwen"\n{line}\n' if not line.startswith("id") else f"[[family]]\n{line}\n")
    msg = str(refused(path))
    expected_line = 3 if not line.startswith("id") else 2
    assert msg.startswith(f"{path}:{expected_line}: {reason}"), msg


def test_wrong_type_for_org_flag(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [[family]]
        id = "qwen"
        [[family.org]]
        name = "m"
        legacy = "yes"
        """,
    )
    assert str(refused(path)).startswith(f"{path}:5: 'legacy' must be true or false")


def test_family_must_be_array_of_tables(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        reuploaders = ["x"]
        family = "qwen"
        """,
    )
    assert str(refused(path)).startswith(f"{path}:2: 'family' must be an array of tables")


def test_remove_unknown_org(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [[family]]
        id = "qwen"
        [[family.org]]
        name = "never-there"
        remove = true
        """,
    )
    assert str(refused(path)).startswith(f"{path}:4: cannot remove org 'never-there'")


def test_unreadable_and_non_utf8(tmp_path: Path) -> None:
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    assert str(refused(binary)).startswith(f"{binary}:1: not UTF-8")
    folder = tmp_path / "dir.toml"
    folder.mkdir()
    assert str(refused(folder)).startswith(f"{folder}:1: cannot read the file")


def test_error_is_a_value_error(tmp_path: Path) -> None:
    path = write(tmp_path, "familys = 1\n")
    with pytest.raises(ValueError):
        load_registry(path)


# ----------------------------------------------------------------------------- the name prefilter


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        ("(^|[-_])kimi[-_]", ("kimi",)),
        ("^(ling|ring)-(lite|plus|mini)", ("ling", "ring")),
        ("llama([^a-z]|$)", ("llama",)),
        ("command-?r(\\d|[-_.]|$)", ("command",)),
        ("qw(en)?", ("qw",)),  # the optional part is not required
        ("co+l", ("c",)),  # a repeated letter ends the literal run
        ("a|b", ("a", "b")),
        ("a(bc|)de", ("de",)),  # an alternative that needs nothing makes the group need nothing
        ("llama(?!gen)", ("llama",)),  # a lookaround consumes nothing
        ("(?P<n>mistral)", ("mistral",)),
        # unknown constructs give no word, so the pattern is always searched
        ("(?i)qwen", ()),
        ("\\x41bc", ()),
        ("(ab)\\1", ()),
        ("a{", ()),
    ],
)
def test_required_words(pattern: str, words: tuple[str, ...]) -> None:
    from hfwatch.registry.prefilter import required_words

    assert required_words(pattern) == words


def test_prefilter_agrees_with_searching_every_family(registry: Registry) -> None:
    """The prefilter only skips work: for real and tricky names the answer equals a plain search of all."""
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "real_ids.csv"
    rows = [line for line in fixture.read_text(encoding="utf-8").splitlines() if not line.startswith("#")][1:]
    names = [row.split(",", 1)[0].partition("/")[2] for row in rows]
    names += [
        "DeepSeek-R1-Distill-Qwen-7B",
        "Kimiko-7b",
        "dolphin-2_6-phi-2",
        "LlamaGen",
        "Ling-lite",
        "yi-34b",
        "HY-MT1.5-7B",
        "c4ai-command-r-plus",
        "QWEN-ÄÖ",
        "Llama-3-Instruct-ſ",
    ]
    assert len(names) > 150
    for name in names:
        best = None
        for fam in registry:
            start = fam.name_match_start(name)
            if start is not None and (best is None or start < best[0]):
                best = (start, fam)
        expected = None if best is None else best[1]
        assert registry.name_family(name) == expected, name
