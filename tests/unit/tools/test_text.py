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
