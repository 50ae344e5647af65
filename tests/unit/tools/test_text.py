import click
from click.testing import CliRunner

from tools.text import Text, join, lang_option, same

VERDICT = Text("nenhuma violação", "no violation")


def test_a_text_renders_in_the_asked_language_and_pt_br_otherwise():
    assert VERDICT.render("en") == "no violation"
    assert VERDICT.render("pt") == "nenhuma violação"
    assert VERDICT.render("fr") == "nenhuma violação"


def test_format_fills_both_languages_and_a_text_parameter_goes_in_translated():
    line = Text("Auditoria: {verdict} em {s:.1f} s.", "Audit: {verdict} in {s:.1f} s.").format(
        verdict=VERDICT, s=2
    )
    assert line == Text("Auditoria: nenhuma violação em 2.0 s.", "Audit: no violation in 2.0 s.")


def test_sentences_join_and_add_per_language_and_keep_the_json_shape():
    text = join([Text("Um.", "One."), same("P3")]) + Text("!", "!")
    assert text.as_dict() == {"pt": "Um. P3!", "en": "One. P3!"}


def test_every_command_shares_one_lang_option_pt_by_default():
    @click.command()
    @lang_option
    def say(lang: str) -> None:
        click.echo(VERDICT.render(lang))

    assert CliRunner().invoke(say, []).output == "nenhuma violação\n"
    assert CliRunner().invoke(say, ["--lang", "en"]).output == "no violation\n"
    assert CliRunner().invoke(say, ["--lang", "de"]).exit_code == 2


def _commands(group: click.Group, path: str = "pedidos") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += _commands(command, f"{path} {name}")
        else:
            found.append((f"{path} {name}", command))
    return found


def test_every_command_that_reports_takes_the_same_lang_option():
    from tools.cli import main

    reporting = [(name, c) for name, c in _commands(main) if any(p.name == "out_dir" for p in c.params)]
    assert len(reporting) >= 10  # the drills, the kill demo, load, the benchmarks, the acks lab, the DLQ
    for name, command in reporting:
        [lang] = [p for p in command.params if p.name == "lang"] or [None]
        assert isinstance(lang, click.Option), f"{name} has no --lang"
        assert lang.opts == ["--lang"] and lang.default == "pt", name
        assert list(lang.type.choices) == ["pt", "en"], name  # type: ignore[attr-defined]
