"""Adding an org that no family claims to the user's families.toml: as a new family (id, display name,
country) or as one more org of a family in the list. The app does the writing (`apply`); a refusal
(a bad id, an unknown country, an org another family claims) shows here as one line, and nothing is lost."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from hfwatch.registry import Registry
from hfwatch.registry.userfile import add_family, add_org
from hfwatch.textsafe import terminal_safe

NEW_FAMILY = "__new__"


@dataclass(frozen=True, slots=True)
class OrgChoice:
    """Where the org goes: `family` (an existing one), or a new family `new_id` named `name` from `country`."""

    org: str
    family: str | None = None
    new_id: str = ""
    name: str = ""
    country: str = ""


def suggested_id(org: str) -> str:
    return re.sub(r"[^a-z0-9._-]+", "-", org.lower()).strip("-._") or "family"


class AddOrgScreen(ModalScreen[OrgChoice | None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "cancel", id="cancel_add_org")]

    def __init__(
        self, org: str, families: Sequence[tuple[str, str]], target: str, apply: Callable[[OrgChoice], str | None]
    ) -> None:
        super().__init__()
        self.org = org
        self.families = list(families)  # (id, display name), in the list's order
        self.target = target
        self.apply = apply

    def compose(self) -> ComposeResult:
        with Vertical(id="add-org"):
            yield Label(Text(f"Track {terminal_safe(self.org, 60)}: add it to {terminal_safe(self.target, 70)}"))
            options = [Option(Text(f"{terminal_safe(name, 40)}  ({fid})"), id=fid) for fid, name in self.families]
            yield OptionList(
                Option("+ a new family (fill in below, enter adds)", id=NEW_FAMILY), *options, id="add-org-families"
            )
            with Horizontal(id="add-org-fields"):
                yield Input(suggested_id(self.org), placeholder="id (lowercase)", id="add-org-id")
                yield Input(self.org, placeholder="display name", id="add-org-name")
                yield Input(placeholder="country (US, CN, FR…)", id="add-org-country", max_length=2)
            yield Static(id="add-org-error")
            yield Static(Text("enter on a family adds the org to it · esc cancels", style="dim"))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id == NEW_FAMILY:
            self.query_one("#add-org-country", Input).focus()
        elif event.option.id is not None:
            self._submit(OrgChoice(self.org, family=event.option.id))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit(
            OrgChoice(
                self.org,
                new_id=self.query_one("#add-org-id", Input).value,
                name=self.query_one("#add-org-name", Input).value,
                country=self.query_one("#add-org-country", Input).value,
            )
        )

    def _submit(self, choice: OrgChoice) -> None:
        if choice.family is None and not all((choice.new_id.strip(), choice.name.strip(), choice.country.strip())):
            error: str | None = "a new family needs an id, a display name and a country"
        else:
            error = self.apply(choice)
        if error is None:
            self.dismiss(choice)
        else:
            self.query_one("#add-org-error", Static).update(Text(terminal_safe(error, 200), style="bold red"))

    def action_cancel(self) -> None:
        self.dismiss(None)


def write_choice(path: Path, choice: OrgChoice) -> tuple[Registry, str]:
    """Write the choice into the user registry file (validated whole first): the registry now in force, and
    the family the org counts for. A RegistryError leaves the file as it was."""
    if choice.family is not None:
        return add_org(path, family_id=choice.family, org=choice.org), choice.family
    registry = add_family(path, family_id=choice.new_id, name=choice.name, country=choice.country, org=choice.org)
    return registry, choice.new_id.strip()
