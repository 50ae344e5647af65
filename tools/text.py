"""One way to say a thing in both languages: pt-BR first (the class's language), English second.

Every report title and conclusion, every narrated step and every catalogue of CLI messages is a `Text`; a
command renders it in the language its `--lang` option (`lang_option`, the same on every command) picked,
and the JSON reports keep both (`as_dict`) because the dashboard switches language without asking again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

import click

Lang = Literal["pt", "en"]
LANGS: tuple[Lang, ...] = ("pt", "en")
DEFAULT_LANG: Lang = "pt"


@dataclass(frozen=True)
class Text:
    pt: str
    en: str

    def render(self, lang: str) -> str:
        return self.en if lang == "en" else self.pt

    def format(self, **params: Any) -> Text:
        """Fill `{name}` placeholders in both languages; a `Text` parameter goes in as its own translation."""
        return Text(
            self.pt.format(**{k: v.pt if isinstance(v, Text) else v for k, v in params.items()}),
            self.en.format(**{k: v.en if isinstance(v, Text) else v for k, v in params.items()}),
        )

    def __add__(self, other: Text) -> Text:
        return Text(self.pt + other.pt, self.en + other.en)

    def as_dict(self) -> dict[str, str]:
        """The JSON shape the dashboard reads: {"pt": ..., "en": ...}."""
        return {"pt": self.pt, "en": self.en}


def same(text: str) -> Text:
    """Words that read the same in both languages (a topic name, a signal, a number)."""
    return Text(text, text)


def join(parts: Iterable[Text], separator: str = " ") -> Text:
    parts = list(parts)
    return Text(separator.join(p.pt for p in parts), separator.join(p.en for p in parts))


def lang_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """The `--lang pt|en` of every command that talks to the user; pt-BR unless asked otherwise."""
    return click.option(
        "--lang",
        type=click.Choice(LANGS),
        default=DEFAULT_LANG,
        show_default=True,
        help="Idioma das mensagens e do relatório / language of the messages and the report.",
    )(command)
