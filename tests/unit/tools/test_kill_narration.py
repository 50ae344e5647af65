from types import SimpleNamespace

from tools.chaos.kill_narration import narrator
from tools.lab.acks_report import message


def test_the_kill_demo_tells_each_step_in_the_language_asked(capsys):
    say = narrator("en")
    say("started", processor="payment", nth=1, point="after-produce")
    say("aborted", records={"payments.confirmed": 3}, point="after-produce")
    say("audited", results=[], snapshot=SimpleNamespace(aborted_seen={}), ok=True, seconds=12.34)
    english = capsys.readouterr().out
    assert "1. Processors up. payment-0 will SIGKILL itself the 1th time it reaches after-produce." in english
    assert "(aborted transaction): 3 {'payments.confirmed': 3}.\n   The process it produced" in english
    assert "7. Exactly-once audit: no violation, every order ended exactly once. Demo done in 12.3" in english
    narrator("pt")("audited", results=[], snapshot=SimpleNamespace(aborted_seen={}), ok=False, seconds=1)
    assert "7. Auditoria exactly-once: VIOLAÇÕES encontradas (veja acima)." in capsys.readouterr().out


def test_the_acks_lab_messages_fill_their_numbers_in_either_language():
    assert message("cluster_up", "pt", seconds=4.25) == "Cluster no ar em 4.2 s."
    assert message("killed", "en", node=2, sent=10) == "  SIGKILL to the leader, node 2 (10 sent so far)"
    assert message("setting", "en", setting="acks=1") == message("setting", "pt", setting="acks=1")
