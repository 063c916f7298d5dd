"""The config file: defaults, validation with file/line/key, `config path|show|check`, and what reads it."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from hfwatch.config import Config, ConfigError, as_dict, check_watched, load_config, to_toml
from tests.conftest import run_cli

FULL = """\
# a full config
fast_interval_s = 120
slow_interval_s = 1800
watched = ["qwen", "deepseek"]
scope = "first-party"
metric = "rate"
theme = "textual-light"
include_reuploaders = false

[keymap]
poll_now = "f5"
quit = "ctrl+q,q"
"""


def write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_missing_file_means_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path / "nope.toml")
    assert config == Config()
    assert (config.fast_interval_s, config.slow_interval_s, config.scope, config.metric, config.theme) == (
        300,
        3600,
        "ecosystem",
        "downloads_30d",
        "textual-dark",
    )
    assert config.watched == () and config.keymap == {} and config.include_reuploaders is True


def test_full_file_is_read(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, FULL))
    assert config.fast_interval_s == 120 and config.slow_interval_s == 1800
    assert config.watched == ("qwen", "deepseek")
    assert (config.scope, config.metric, config.theme) == ("first-party", "rate", "textual-light")
    assert config.keymap == {"poll_now": "f5", "quit": "ctrl+q,q"}
    assert config.include_reuploaders is False
    assert config.source == str(tmp_path / "config.toml")


def test_deep_lane_keys(tmp_path: Path) -> None:
    assert (Config().deep_interval_h, Config().deep_floor) == (24, 100)
    config = load_config(write(tmp_path, "deep_interval_h = 48\ndeep_floor = 1000\n"))
    assert (config.deep_interval_h, config.deep_floor) == (48, 1000)
    assert load_config(write(tmp_path, to_toml(config), "again.toml")).deep_floor == 1000


def test_dotted_and_inline_keymap(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, 'keymap.poll_now = "f5"\n')).keymap == {"poll_now": "f5"}
    assert load_config(write(tmp_path, 'keymap = { quit = "ctrl+q" }\n')).keymap == {"quit": "ctrl+q"}


@pytest.mark.parametrize(
    ("text", "line", "key", "words"),
    [
        ('scope = "ecosystem"\nmetric = "likes"\n', 2, "metric", "must be one of"),
        ('scope = "everything"\n', 1, "scope", "first-party, ecosystem"),
        ("\n\nfast_interval_s = 1\n", 3, "fast_interval_s", "between 5 and 86400"),
        ('slow_interval_s = "1h"\n', 1, "slow_interval_s", "an integer"),
        ("fast_interval_s = true\n", 1, "fast_interval_s", "an integer"),
        ("fast_interval_s = 60.0\n", 1, "fast_interval_s", "not a number"),
        ('theme = "x"\ncolour = "red"\n', 2, "colour", "unknown key"),
        ('watched = ["qwen", 3]\n', 1, "watched", "not a family id"),
        ('watched = ["Qwen 3"]\n', 1, "watched", "not a family id"),
        ('watched = "qwen"\n', 1, "watched", "a list of family ids"),
        ('include_reuploaders = "no"\n', 1, "include_reuploaders", "true or false"),
        ('theme = ""\n', 1, "theme", "must name a theme"),
        ('theme = "a"\n\n[keymap]\npoll_now = "f5"\nquit = 5\n', 5, "keymap.quit", "a string of keys"),
        ('[keymap]\nquit = "ctrl+q,,"\n', 2, "keymap.quit", "comma-separated"),
        ('registry_file = "missing.toml"\n', 1, "registry_file", "no such file"),
        ('hf_token = "hf_abc"\n', 1, "hf_token", "tokens do not belong"),
        ("deep_interval_h = 0\n", 1, "deep_interval_h", "between 1 and 720 hours"),
        ("\ndeep_floor = -5\n", 2, "deep_floor", "0 or more"),
        ('deep_floor = "100"\n', 1, "deep_floor", "an integer"),
    ],
)
def test_invalid_values_name_file_line_and_key(tmp_path: Path, text: str, line: int, key: str, words: str) -> None:
    path = write(tmp_path, text)
    message = error_of(path)
    assert message.startswith(f"{path}:{line}: {key}: "), message
    assert words in message
    assert "hf_abc" not in message  # a secret's value is never echoed


def test_invalid_toml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, 'scope = "ecosystem"\nmetric = \n')
    message = error_of(path)
    assert message.startswith(f"{path}:2: invalid TOML")


def test_not_utf8_and_directory(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'theme = "\xff"\n')
    assert error_of(path) == f"{path}:1: not UTF-8 text"
    folder = tmp_path / "dir.toml"
    folder.mkdir()
    assert "is a directory" in error_of(folder)


def test_theme_is_any_name(tmp_path: Path) -> None:
    # The core does not import Textual: the monitor checks the name against its themes.
    assert load_config(write(tmp_path, 'theme = "nord"\n')).theme == "nord"


def test_registry_file_relative_to_the_config(tmp_path: Path) -> None:
    (tmp_path / "fams.toml").write_text("", encoding="utf-8")
    config = load_config(write(tmp_path, 'registry_file = "fams.toml"\n'))
    assert config.registry_file == str((tmp_path / "fams.toml").resolve())
    assert config.registry_path() == tmp_path / "fams.toml"


def test_show_round_trips(tmp_path: Path) -> None:
    (tmp_path / "fams.toml").write_text("", encoding="utf-8")
    config = load_config(write(tmp_path, FULL.replace("[keymap]", 'registry_file = "fams.toml"\n\n[keymap]')))
    text = to_toml(config)
    again = load_config(write(tmp_path, text, "again.toml"))
    assert as_dict(again) == as_dict(config)
    assert as_dict(load_config(write(tmp_path, to_toml(Config()), "defaults.toml"))) == as_dict(Config())
    weird = Config(theme='a "quoted" \\ theme\x7f', keymap={"poll_now": "f5"})
    assert tomllib.loads(to_toml(weird))["theme"] == weird.theme


def test_check_watched_against_the_registry(tmp_path: Path) -> None:
    path = write(tmp_path, 'theme = "x"\nwatched = ["qwen", "nosuch"]\n')
    config = load_config(path)
    with pytest.raises(ConfigError, match=rf"^{path}:2: watched: unknown family 'nosuch'"):
        check_watched(config, frozenset({"qwen"}))
    check_watched(load_config(write(tmp_path, 'watched = ["qwen"]\n', "ok.toml")), frozenset({"qwen"}))


# -- the commands -----------------------------------------------------------------------------------


def test_config_path_honours_the_environment(tmp_path: Path) -> None:
    ran = run_cli("config", "path", env={"HFWATCH_CONFIG": str(tmp_path / "my.toml")})
    assert ran.code == 0 and ran.out.strip() == str(tmp_path / "my.toml")
    assert "defaults are in force" in ran.err
    default = run_cli("config", "path")
    assert default.code == 0 and default.out.strip().endswith("hfwatch/config.toml")
    assert str(tmp_path / "xdg_config") in default.out


def test_config_show_prints_the_effective_config(tmp_path: Path) -> None:
    path = write(tmp_path, FULL)
    ran = run_cli("config", "show", env={"HFWATCH_CONFIG": str(path), "HF_TOKEN": "hf_secret_value_123"})
    assert ran.code == 0, ran.err
    shown = tomllib.loads(ran.out)
    assert shown["scope"] == "first-party" and shown["fast_interval_s"] == 120
    assert shown["keymap"] == {"poll_now": "f5", "quit": "ctrl+q,q"}
    assert "hf_secret_value_123" not in ran.out and "token" not in ran.out.lower()
    defaults = tomllib.loads(run_cli("config", "show").out)
    assert defaults["slow_interval_s"] == 3600 and defaults["watched"] == [] and defaults["keymap"] == {}


def test_invalid_config_is_one_line_and_exit_1(tmp_path: Path) -> None:
    path = write(tmp_path, 'scope = "ecosystem"\nmetric = "likes"\n')
    for args in (("config", "show"), ("families",)):
        ran = run_cli(*args, env={"HFWATCH_CONFIG": str(path)})
        assert ran.code == 1
        assert ran.err.strip() == (
            f"hfwatch: error: {path}:2: metric: must be one of downloads_30d, downloads_all_time, rate, not 'likes'"
        )


def test_config_check(tmp_path: Path) -> None:
    good = write(tmp_path, 'watched = ["qwen"]\n')
    ran = run_cli("config", "check", env={"HFWATCH_CONFIG": str(good)})
    assert ran.code == 0 and ran.out.startswith("ok:")
    bad = write(tmp_path, 'watched = ["qwen", "nosuch"]\n', "bad.toml")
    ran = run_cli("config", "check", env={"HFWATCH_CONFIG": str(bad)})
    assert ran.code == 1 and f"{bad}:1: watched: unknown family 'nosuch'" in ran.err


def test_registry_file_is_the_registry_in_force(tmp_path: Path) -> None:
    fams = tmp_path / "fams.toml"
    fams.write_text(
        '[[family]]\nid = "acme"\nname = "Acme"\ncountry = "NZ"\n\n[[family.org]]\nname = "acme-ai"\n', encoding="utf-8"
    )
    path = write(tmp_path, f'registry_file = "{fams}"\n')
    ran = run_cli("families", "--format", "json", env={"HFWATCH_CONFIG": str(path)})
    assert ran.code == 0, ran.err
    assert "acme" in ran.out and "qwen" in ran.out  # merged over the bundled registry
    # Without it, the default user registry path is used (and absent here): no acme.
    assert "acme" not in run_cli("families", "--format", "json").out
    broken = tmp_path / "broken.toml"
    broken.write_text('[[family]]\nid = "x"\nname = "X"\ncountry = "ZZ"\n', encoding="utf-8")
    ran = run_cli("families", env={"HFWATCH_CONFIG": str(write(tmp_path, f'registry_file = "{broken}"\n', "b.toml"))})
    assert ran.code == 1 and f"{broken}:4:" in ran.err


def test_poll_honours_include_reuploaders_false(sim, tmp_path: Path) -> None:
    """With re-uploaders out, unsloth/bartowski/... repos count for no family after a poll."""
    import sqlite3

    from tests.conftest import run_cli

    config = tmp_path / "config.toml"
    config.write_text("include_reuploaders = false\n")
    db = tmp_path / "h.sqlite"
    ran = run_cli(
        "poll", "--lane", "slow", "--db", str(db), env={"HF_ENDPOINT": sim.url, "HFWATCH_CONFIG": str(config)}
    )
    assert ran.code == 0, ran.err
    conn = sqlite3.connect(db)
    counted = conn.execute(
        "SELECT count(*) FROM models WHERE author IN ('unsloth', 'bartowski') AND family IS NOT NULL"
    ).fetchone()[0]
    listed = conn.execute("SELECT count(*) FROM models WHERE author IN ('unsloth', 'bartowski')").fetchone()[0]
    conn.close()
    assert listed > 0 and counted == 0
