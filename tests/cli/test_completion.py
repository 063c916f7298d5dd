"""`hfwatch completion SHELL`: a script per shell, made from the parser, naming every subcommand."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from hfwatch.cli.main import build_parser
from hfwatch.cli.registry import COMMANDS
from tests.conftest import run_cli

NAMES = [c.name for c in COMMANDS]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_each_shell_gets_a_script_naming_every_subcommand(shell: str) -> None:
    ran = run_cli("completion", shell)
    assert ran.code == 0, ran.err
    assert ran.out.startswith(("#", "# ")) and "hfwatch" in ran.out
    option = "-l scope" if shell == "fish" else "--scope"
    for name in [*NAMES, option, "first-party", "info"]:  # subcommands, options, choices, nested commands
        assert name in ran.out, (shell, name)


def test_bash_script_parses_and_completes() -> None:
    script = run_cli("completion", "bash").out
    subprocess.run(["bash", "-n"], input=script, text=True, check=True)

    def complete(*words: str) -> list[str]:
        line = " ".join(f"'{w}'" for w in words)
        probe = (
            f'{script}\nCOMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; _hfwatch; printf "%s\\n" "${{COMPREPLY[@]}}"'
        )
        return subprocess.run(["bash", "-c", probe], capture_output=True, text=True, check=True).stdout.split()

    assert sorted(complete("hfwatch", "")) == sorted([*NAMES, *complete("hfwatch", "-")])
    assert set(NAMES) <= set(complete("hfwatch", ""))
    assert complete("hfwatch", "top", "--by", "") == ["family", "country", "model"]
    assert complete("hfwatch", "overtakes", "--sc") == ["--scope"]
    assert complete("hfwatch", "db", "") == ["info", "-h", "--help"]
    assert complete("hfwatch", "completion", "f") == ["fish"]


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_script_parses() -> None:
    subprocess.run(["zsh", "-n"], input=run_cli("completion", "zsh").out, text=True, check=True)


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_script_parses() -> None:
    subprocess.run(["fish", "-n"], input=run_cli("completion", "fish").out, text=True, check=True)


def test_an_unknown_shell_is_bad_usage() -> None:
    ran = run_cli("completion", "tcsh")
    assert ran.code == 2 and "invalid choice" in ran.err


def test_the_parser_is_built_from_the_registry_alone() -> None:
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert list(sub.choices) == NAMES
