"""Per-family character of the simulated market: momentum, popularity, licence, architecture tag.

Invented but shaped after the public trackers (reference/domain.md): Qwen and the other Chinese labs growing,
Llama slowly declining, Gemma/gpt-oss steady, small labs flat.
"""

from __future__ import annotations

#: Yearly growth of a family's download rate (log scale): 0.9 -> about x2.5 per year.
MOMENTUM: dict[str, float] = {
    "Qwen": 0.9,
    "DeepSeek": 0.35,
    "Kimi": 0.7,
    "GLM": 0.6,
    "MiniMax": 0.6,
    "InternLM/InternVL": 0.1,
    "Yi": -0.5,
    "Baichuan": -0.6,
    "Hunyuan": 0.4,
    "ERNIE": 0.3,
    "Seed": 0.5,
    "Step": 0.5,
    "Ling/Ring": 0.5,
    "MiMo": 0.6,
    "LongCat": 0.5,
    "MiniCPM": 0.2,
    "Llama": -0.25,
    "Mistral": -0.1,
    "Gemma": 0.25,
    "Phi": -0.2,
    "gpt-oss": 0.3,
    "Nemotron": 0.3,
    "Granite": 0.1,
    "OLMo/Tulu/Molmo": 0.1,
    "SmolLM": 0.2,
    "Falcon": -0.4,
    "Command/Aya": -0.2,
    "Jamba": -0.2,
    "EXAONE": 0.1,
    "Solar": -0.3,
    "LFM": 0.4,
    "Apertus": 0.0,
    "LLM-jp": 0.0,
    "Sarvam": 0.2,
}

#: How much more a family's repos are downloaded than an average lab's (natural-log offset of the score
#: that ranks first-party repos before they are given heavy-tailed rates).
POPULARITY: dict[str, float] = {
    "Qwen": 2.5,
    "Llama": 2.5,
    "gpt-oss": 3.0,
    "Gemma": 1.8,
    "DeepSeek": 1.5,
    "Mistral": 1.5,
    "Phi": 1.3,
    "SmolLM": 1.0,
    "Kimi": 0.8,
    "GLM": 0.8,
    "MiniMax": 0.8,
    "LFM": 0.6,
    "Granite": 0.5,
    "MiniCPM": 0.4,
    "Nemotron": 0.3,
    "InternLM/InternVL": 0.3,
    "Falcon": 0.3,
    "Yi": 0.3,
    "Command/Aya": 0.3,
    "MiMo": 0.2,
    "Hunyuan": 0.2,
    "ERNIE": 0.2,
    "Seed": 0.2,
    "EXAONE": 0.2,
}

#: Median downloads/day of a brand-new release (before its launch burst), by family.
NEW_RELEASE_RATE: dict[str, float] = {
    "gpt-oss": 8000,
    "Qwen": 6000,
    "DeepSeek": 5000,
    "Llama": 4000,
    "Gemma": 4000,
    "GLM": 2500,
    "Kimi": 2000,
    "Mistral": 2000,
    "MiniMax": 1500,
    "Phi": 1500,
    "Nemotron": 800,
    "SmolLM": 800,
    "LFM": 600,
}

LICENSE: dict[str, str] = {
    "Qwen": "apache-2.0",
    "DeepSeek": "mit",
    "Kimi": "other",
    "GLM": "mit",
    "MiniMax": "mit",
    "Mistral": "apache-2.0",
    "Gemma": "gemma",
    "Phi": "mit",
    "gpt-oss": "apache-2.0",
    "Nemotron": "other",
    "Granite": "apache-2.0",
    "OLMo/Tulu/Molmo": "apache-2.0",
    "SmolLM": "apache-2.0",
    "Falcon": "other",
    "InternLM/InternVL": "apache-2.0",
    "Yi": "apache-2.0",
    "Baichuan": "other",
    "Hunyuan": "other",
    "ERNIE": "apache-2.0",
    "Command/Aya": "cc-by-nc-4.0",
    "Jamba": "other",
    "EXAONE": "other",
    "LFM": "other",
}

#: The ``model_type`` tag the Hub derives from config.json.
ARCH: dict[str, str] = {
    "Qwen": "qwen3",
    "Llama": "llama",
    "DeepSeek": "deepseek_v3",
    "Kimi": "kimi_k2",
    "GLM": "glm4_moe",
    "MiniMax": "minimax_m2",
    "Mistral": "mistral",
    "Gemma": "gemma3",
    "Phi": "phi3",
    "gpt-oss": "gpt_oss",
    "Nemotron": "nemotron_h",
    "Granite": "granite",
    "OLMo/Tulu/Molmo": "olmo2",
    "SmolLM": "llama",
    "Falcon": "falcon",
    "InternLM/InternVL": "internlm2",
    "Yi": "llama",
    "Baichuan": "baichuan",
    "Hunyuan": "hunyuan_v1_dense",
    "ERNIE": "ernie4_5",
    "Seed": "seed_oss",
    "Step": "step3_vl",
    "Ling/Ring": "bailing_moe",
    "MiMo": "mimo",
    "LongCat": "longcat_flash",
    "MiniCPM": "minicpm",
    "Command/Aya": "cohere2",
    "Jamba": "jamba",
    "EXAONE": "exaone4",
    "Solar": "llama",
    "LFM": "lfm2",
    "Apertus": "apertus",
    "LLM-jp": "llama",
    "Sarvam": "sarvam",
}

#: Families whose old repos load through trust_remote_code.
CUSTOM_CODE = frozenset({"InternLM/InternVL", "Baichuan", "MiniCPM", "Kimi", "MiniMax", "Ling/Ring", "LongCat", "Step"})

#: Orgs that host several things: only repos whose names carry a family pattern are that family's.
SHARED_ORGS = frozenset(
    {
        "google",
        "google-bert",
        "google-t5",
        "microsoft",
        "openai",
        "nvidia",
        "tencent",
        "TencentARC",
        "Tencent-Hunyuan",
        "baidu",
        "facebook",
        "FacebookAI",
        "Alibaba-NLP",
        "Wan-AI",
        "Tongyi-MAI",
        "alibaba-pai",
        "AIDC-AI",
        "ByteDance",
        "bytedance-research",
        "HuggingFaceH4",
        "HuggingFaceTB",  # SmolLM, and FineMath and other research
        "openbmb",  # MiniCPM, and RLPR, Eurus and other research on other families' bases
        "HuggingFaceM4",
        "ibm-research",
    }
)

#: Name patterns the family table lacks (Tencent's 2026 "Hy" naming, Phi's MoE and next-generation names).
EXTRA_PATTERNS: dict[str, tuple[str, ...]] = {
    "Hunyuan": ("hy3", "hy-mt"),
    "Phi": ("phi-5", "phi-mini", "phi-tiny"),
}


def license_for(family: str | None, name: str) -> str:
    if family == "Llama":
        lowered = name.lower()
        for marker, lic in (
            ("llama-4", "llama4"),
            ("3.3", "llama3.3"),
            ("3.2", "llama3.2"),
            ("3.1", "llama3.1"),
            ("llama-3", "llama3"),
            ("llama-2", "llama2"),
            ("codellama", "llama2"),
        ):
            if marker in lowered:
                return lic
        return "other"
    if family is None:
        return "apache-2.0"
    return LICENSE.get(family, "apache-2.0")
