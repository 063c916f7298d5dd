"""Exit codes and the user-error type of the command line: a leaf every command module may import."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAIL = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class CliError(Exception):
    """A one-line error for stderr."""


def is_user_error(err: BaseException) -> bool:
    """Errors that explain themselves in one line (bad file, bad input, Hub unreachable), as opposed to a bug.

    The types are imported where they are defined, here rather than at start-up: this runs only on the way out
    after a failure, and the Hub's error type pulls in huggingface_hub.
    """
    from hfwatch.config import ConfigError
    from hfwatch.hub.guard import HubError
    from hfwatch.importing import ImportError_
    from hfwatch.registry import RegistryError
    from hfwatch.store.db import StoreError

    return isinstance(err, CliError | StoreError | RegistryError | HubError | ConfigError | ImportError_)
