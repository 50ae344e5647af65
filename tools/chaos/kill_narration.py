"""What the kill demo tells the class, step by step, in pt-BR (or English)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from tools.text import Text
from tools.verify.command import print_table

WHAT_THE_CRASH_MEANS = {
    "after-consume": Text(
        "leu entradas e morreu antes de processá-las: o que a transação aberta já havia produzido foi "
        "abortado, e as entradas foram lidas de novo a partir do último offset confirmado",
        "it read input and died before processing it: what the open transaction had produced was "
        "aborted, and the input was read again from the last committed offset",
    ),
    "after-produce": Text(
        "produziu as saídas (já no log, mas não confirmadas) e morreu antes de enviar os offsets: "
        "a transação foi abortada e as entradas, reprocessadas",
        "it produced its output (in the log, uncommitted) and died before sending offsets: the "
        "transaction was aborted and the input processed again",
    ),
    "after-send-offsets": Text(
        "colocou saídas e offsets na transação e morreu antes do commit: tudo foi abortado junto",
        "it put output and offsets in the transaction and died before committing: all of it was "
        "aborted together",
    ),
    "after-commit": Text(
        "morreu logo depois do commit: saídas e offsets já estavam visíveis juntos, então nada foi "
        "abortado nem reprocessado",
        "it died right after committing: output and offsets were already visible together, so nothing "
        "was aborted or processed again",
    ),
    "after-db-commit": Text(
        "confirmou os efeitos do lote no PostgreSQL (com as saídas guardadas) e morreu antes do commit "
        "no Kafka: na repetição, o inbox devolveu as mesmas saídas e nenhum efeito foi aplicado de novo",
        "it committed the batch's effects to PostgreSQL (with the outputs stored) and died before the "
        "Kafka commit: on replay the inbox re-emitted those same outputs and no effect was applied twice",
    ),
}

MESSAGES = {
    "started": Text(
        "1. Processadores no ar. {processor}-0 se mata (SIGKILL) na {nth}ª chegada ao ponto {point}.",
        "1. Processors up. {processor}-0 will SIGKILL itself the {nth}th time it reaches {point}.",
    ),
    "placed": Text(
        "2. {orders} pedidos aceitos pelo gateway ({rate:g}/s), cada um só depois do ack do broker.",
        "2. {orders} orders accepted by the gateway ({rate:g}/s), each only after the broker's ack.",
    ),
    "crashed": Text(
        "3. {processor}-0 morreu (código {code}, SIGKILL) após {seconds:.1f} s: sem abort, sem close.",
        "3. {processor}-0 died (exit code {code}, SIGKILL) after {seconds:.1f} s: no abort, no close.",
    ),
    "alert_waiting": Text(
        "   {processor}-0 continua fora: o Prometheus deixa de ler seu /metrics (up == 0) e, passado o "
        "`for:` da regra, o alerta PedidosServiceDown dispara. Abra o painel: ele aparece no cabeçalho.",
        "   {processor}-0 stays down: Prometheus cannot scrape its /metrics (up == 0) and, after the rule's "
        "`for:`, PedidosServiceDown fires. Open the dashboard: it shows in the header.",
    ),
    "alert_fired": Text(
        "   Alerta PedidosServiceDown de {processor}-0 no painel {seconds:.1f} s após a morte "
        "(Prometheus -> Alertmanager -> gateway).",
        "   PedidosServiceDown for {processor}-0 on the dashboard {seconds:.1f} s after the death "
        "(Prometheus -> Alertmanager -> gateway).",
    ),
    "alert_resolved": Text(
        "   O alerta de {processor}-0 sumiu {seconds:.1f} s após o reinício: o Prometheus voltou a lê-lo.",
        "   The alert for {processor}-0 cleared {seconds:.1f} s after the restart: Prometheus scrapes it "
        "again.",
    ),
    "restarted": Text(
        "4. {processor}-0 reiniciado com o MESMO transactional.id: init_transactions() cerca o zumbi "
        "e encerra a transação que ele deixou aberta.",
        "4. {processor}-0 restarted with the SAME transactional.id: init_transactions() fences the "
        "zombie and ends the transaction it left open.",
    ),
    "aborted": Text(
        "5. Registros que só um leitor read_uncommitted viu (transação abortada): {total} {records}.\n"
        "   O processo {meaning}.",
        "5. Records only a read_uncommitted reader saw (aborted transaction): {total} {records}.\n"
        "   The process {meaning}.",
    ),
    "ended": Text(
        "6. Todos os {orders} pedidos terminaram: {confirmed} confirmados, {cancelled} cancelados.",
        "6. All {orders} orders ended: {confirmed} confirmed, {cancelled} cancelled.",
    ),
    "audited": Text(
        "7. Auditoria exactly-once: {verdict}. Demo completa em {seconds:.1f} s.",
        "7. Exactly-once audit: {verdict}. Demo done in {seconds:.1f} s.",
    ),
}
VERDICT = {
    True: Text(
        "nenhuma violação, cada pedido terminou exatamente uma vez",
        "no violation, every order ended exactly once",
    ),
    False: Text("VIOLAÇÕES encontradas (veja acima)", "VIOLATIONS found (see above)"),
}


def narrator(lang: str) -> Callable[..., None]:
    def say(event: str, **facts: Any) -> None:
        if event == "aborted":
            facts["total"] = sum(facts["records"].values())
            facts["meaning"] = WHAT_THE_CRASH_MEANS[facts["point"]]
        if event == "audited":
            print_table(facts["results"], facts["snapshot"], lang)
            facts["verdict"] = VERDICT[facts["ok"]]
        click.echo(MESSAGES[event].format(**facts).render(lang))

    return say
