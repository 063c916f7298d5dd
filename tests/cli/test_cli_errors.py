"""The CLI tells a user error (one plain line) from a bug (an "internal error" line) by type, not by name."""

from __future__ import annotations

import pytest

from hfwatch.cli.errors import CliError, is_user_error
from hfwatch.cli.main import main
from hfwatch.config import ConfigError
from hfwatch.hub.guard import HubUnreachable
from hfwatch.importing import ImportError_
from hfwatch.store.db import StoreLocked


class StoreError(Exception):  # the name of a user error, not its type
    pass


@pytest.mark.parametrize(
    "err", [CliError("x"), StoreLocked("x"), HubUnreachable("x"), ConfigError("x"), ImportError_("x")]
)
def test_user_errors_are_known_by_type_subclasses_included(err: Exception) -> None:
    assert is_user_error(err)


@pytest.mark.parametrize("err", [StoreError("x"), ValueError("x"), KeyError("x")])
def test_anything_else_is_a_bug_whatever_its_name(err: Exception) -> None:
    assert not is_user_error(err)


def test_main_prints_one_line_for_each_kind(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from hfwatch.cli import info_cmd

    for err, prefix in (
        (StoreLocked("the file is busy"), "hfwatch: error: the file is busy"),
        (StoreError("looks known"), "hfwatch: internal error (StoreError): looks known"),
    ):

        def fail(err: Exception = err) -> int:
            raise err

        monkeypatch.setattr(info_cmd, "registry_in_force", fail)
        assert main(["families"]) == 1
        assert capsys.readouterr().err == prefix + "\n"
