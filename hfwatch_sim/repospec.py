"""The description of one simulated repo while the catalogue is being built, and what its name implies."""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Which repo kinds there are. "decoy" = looks like a family's (name, org) but is not; "indie" = a release
#: by a lab or user of no tracked family.
KINDS = ("first", "nonllm", "decoy", "deriv", "indie")


@dataclass(slots=True)
class Spec:
    id: str
    created: float
    kind: str
    pipeline: str | None
    library: str | None
    fmt: str | None = None  # gguf, mlx, bnb, awq, gptq, fp8, int4, nvfp4, peft, onnx, ov
    relation: str | None = None
    bases: tuple[str, ...] = ()  # base_model ids announced in tags
    untagged_base: str | None = None  # derived from this id, but the card does not say so
    family: str | None = None  # intended attribution, see catalogue.Model
    rate: float = 0.0  # steady downloads/day at the reference start
    hype: float = 0.0  # launch-burst downloads/day at creation
    hype_tau: float = 10.0
    momentum: float = 0.0  # per year
    params: int | None = None
    gated: bool | str = False
    monthly: int | None = None  # pinned 30-day downloads at the reference start

    @property
    def author(self) -> str:
        return self.id.split("/", 1)[0]

    @property
    def name(self) -> str:
        return self.id.split("/", 1)[1]


_MOE = re.compile(r"(?<![A-Za-z0-9.])(\d+)x(\d+(?:\.\d+)?)[Bb](?![A-Za-z])")
_SIZE = re.compile(r"(?<![A-Za-z0-9.])E?(\d+(?:[._]\d+)?)([BbMmTt])(?![A-Za-z])")
_UNIT = {"b": 1e9, "m": 1e6, "t": 1e12}


def size_from_name(name: str) -> int | None:
    """Parameter count a repo name announces ("Qwen3-30B-A3B" -> 30e9, "Mixtral-8x7B" -> 56e9)."""
    moe = _MOE.search(name)
    if moe:
        return int(int(moe.group(1)) * float(moe.group(2)) * 1e9)
    m = _SIZE.search(name)
    if not m:
        return None
    return int(float(m.group(1).replace("_", ".")) * _UNIT[m.group(2).lower()])


# (lowercase substrings, format), first match wins. Literal alternations, as this runs for every repo at
# build time.
_FORMAT_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("gguf",), "gguf"),
    (("-mlx", "_mlx", "mlx-"), "mlx"),
    (("bnb", "bitsandbytes"), "bnb"),
    (("awq",), "awq"),
    (("gptq",), "gptq"),
    (("nvfp4", "mxfp4", "-fp4"), "nvfp4"),
    (("fp8", "8bit", "int8"), "fp8"),
    (("int4", "4bit", "w4a16", "w4a4", "q4_0", "marlin"), "int4"),
    (("onnx",), "onnx"),
)


def _literal(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(w) for w in words))


_FORMATS = tuple((_literal(words), fmt) for words, fmt in _FORMAT_WORDS)


def format_from_name(name: str) -> str | None:
    lowered = name.lower()
    for pattern, fmt in _FORMATS:
        if pattern.search(lowered):
            return fmt
    if lowered.endswith("-ov"):
        return "ov"
    return None


_PIPELINE_WORDS: tuple[tuple[tuple[str, ...], str | None], ...] = (
    (("tokenizer", "vocab", "app-config", "dolma"), None),
    (("embed", "gte-", "e5-", "visrag-ret"), "feature-extraction"),
    (("rerank",), "text-ranking"),
    (("classifier", "-rm", "prm-", "genrm", "reward", "polar", "ultrarm"), "text-classification"),
    (("forcedaligner", "parakeet", "canary"), "automatic-speech-recognition"),
    (("audio", "speech", "voice", "audex", "voxcpm", "chattts"), "audio-text-to-text"),
    (("cogvideox", "matrix-game"), "text-to-video"),
    (("cogview", "paint"), "text-to-image"),
    (("mambavision",), "image-classification"),
    (("blip", "kosmos", "udop"), "image-to-text"),
    (
        (
            "-vl",
            "vl-",
            "vl2",
            "vision",
            "llava",
            "molmo",
            "internvl",
            "intern-s",
            "paligemma",
            "florence",
            "ocr",
            "docling",
            "janus",
            "cogvlm",
            "cogagent",
            "ovis",
            "bagel",
            "ui-tars",
            "eagle2",
            "eagle-2",
            "cosmos-reason",
            "maira",
            "xcomposer",
            "minicpm-v",
            "minicpm-o",
            "omni",
            "penguin",
            "pixtral",
            "idefics",
            "smolvlm",
            "parse",
            "mineru",
            "glyph",
            "moondream",
            "r1v",
            "venus",
            "zwz",
            "fara",
            "chameleon",
            "gemma-3n",
            "gemma-4",
            "gemma-3-4b",
            "gemma-3-12b",
            "gemma-3-27b",
            "medgemma-4b",
            "medgemma-1.5",
            "llama-3.2-11b",
            "llama-3.2-90b",
            "llama-4",
            "kimi-k2.5",
            "kimi-k2.6",
            "kimi-k2.7",
            "kimi-k3",
            "qwen3.5",
            "qwen3.6",
            "qwen3.8",
            "ming-",
            "skyworkvl",
            "vincie",
            "openvla",
            "ui2code",
            "webvia",
            "autoglm",
            "qvq",
            "glm-4.1v",
            "glm-4.5v",
            "glm-4.6v",
            "step3",
            "got-ocr",
        ),
        "image-text-to-text",
    ),
    (("t5gemma", "flan-t5", "t5-"), "text2text-generation"),
    (("-mt-", "-mt1", "-mt2", "translate"), "translation"),
)
_PIPELINES = tuple((_literal(words), pipeline) for words, pipeline in _PIPELINE_WORDS)


def pipeline_from_name(name: str) -> str | None:
    lowered = name.lower()
    if lowered.endswith(("-rm", "-prm")):
        return "text-classification"
    if "ASR" in name:  # case matters: "ViLaSR" is not speech recognition
        return "automatic-speech-recognition"
    for pattern, pipeline in _PIPELINES:
        if pattern.search(lowered):
            return pipeline
    return "text-generation"


_NO_LIBRARY = re.compile(r"(?i)-pytorch$|-flax$|tflite|litert|-original$|Original$|cpmcu|-unsharded|tokenizer|vocab")


def library_from_name(name: str, pipeline: str | None, fmt: str | None) -> str | None:
    if fmt == "gguf" or _NO_LIBRARY.search(name) or pipeline is None:
        return None
    if fmt == "mlx":
        return "mlx"
    if fmt == "onnx":
        return "onnx"
    if fmt == "ov":
        return "openvino"
    if re.search(r"(?i)-Paddle$", name):
        return "PaddlePaddle"
    if pipeline in ("feature-extraction", "sentence-similarity"):
        return "sentence-transformers"
    if pipeline in ("text-to-image", "text-to-video"):
        return "diffusers"
    return "transformers"


_CHATTY = re.compile(
    r"(?i)instruct|chat|(^|-)it($|-)|think|reason|(^|-)r1|qwq|qvq|omni|kimi-k|gpt-oss|minimax-m"
    r"|deepseek-v[2-4]|glm-[45]|hermes|dolphin|assistant|-inst|sft|dpo|rl($|-)"
)
_BASE = re.compile(r"(?i)(^|-)(base|pt)($|-)|pretrain")


def is_conversational(name: str, pipeline: str | None) -> bool:
    if pipeline not in ("text-generation", "image-text-to-text", None):
        return False
    return bool(_CHATTY.search(name)) and not _BASE.search(name)


def matches_family(name: str, patterns: tuple[str, ...]) -> bool:
    lowered = name.lower()
    return any(p in lowered for p in patterns)
