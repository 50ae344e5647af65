from types import SimpleNamespace

from tools.text import Text
from tools.verify.command import print_table
from tools.verify.properties import PropertyResult


def _results() -> list[PropertyResult]:
    title = Text("Nenhum pedido aceito se perdeu", "No acknowledged order lost")
    lost = PropertyResult("P1", title, checked=3)
    dups = PropertyResult("P2", Text("Nenhuma duplicata", "No duplicate"), checked=5, violations=["e1 2x"])
    return [lost, dups]


def test_the_audit_table_speaks_one_language_at_a_time(capsys):
    snapshot = SimpleNamespace(aborted_seen={"orders.new": 2, "payments.requested": 0})
    print_table(_results(), snapshot, "en")  # type: ignore[arg-type]
    english = capsys.readouterr().out
    assert "No acknowledged order lost" in english and "3 checked, 0 violations" in english
    assert "5 checked, 1 violations" in english and "- e1 2x" in english
    assert "Aborted records only read_uncommitted saw: 2 {'orders.new': 2}" in english
    assert "verificados" not in english and "Nenhum" not in english
    print_table(_results(), snapshot)  # type: ignore[arg-type]
    portuguese = capsys.readouterr().out
    assert "Nenhum pedido aceito se perdeu" in portuguese and "3 verificados, 0 violações" in portuguese
    assert "checked" not in portuguese
