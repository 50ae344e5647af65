"""What `pedidos lab acks` says: progress lines, the table, the charts and a conclusion built from the counts.

Pure (no Kafka): the conclusion is assembled from the measured numbers, so it can never claim a loss that did
not happen or hide one that did.
"""

from __future__ import annotations

from typing import Any

from tools.reports import BarChart, Cell, Report, Table
from tools.text import Text, join, same

MESSAGES = {
    "cluster": Text(
        "Subindo o cluster descartável de 3 nós ({bootstrap}) em {root}",
        "Starting the throwaway 3-node cluster ({bootstrap}) in {root}",
    ),
    "cluster_up": Text("Cluster no ar em {seconds:.1f} s.", "Cluster up in {seconds:.1f} s."),
    "setting": same("\n== {setting} =="),
    "topic": Text(
        "  tópico {topic}: 1 partição, RF 3, min ISR 2; líder nó {leader}, ISR {isr}",
        "  topic {topic}: 1 partition, RF 3, min ISR 2; leader node {leader}, ISR {isr}",
    ),
    "producing": Text(
        "  produzindo registros numerados a {rate:g}/s por {seconds:g} s",
        "  producing numbered records at {rate:g}/s for {seconds:g} s",
    ),
    "killed": Text(
        "  SIGKILL no líder, nó {node} ({sent} enviados até aqui)",
        "  SIGKILL to the leader, node {node} ({sent} sent so far)",
    ),
    "new_leader": Text(
        "  novo líder: nó {node}, {seconds:.1f} s depois do kill; ISR {isr}",
        "  new leader: node {node}, {seconds:.1f} s after the kill; ISR {isr}",
    ),
    "restarted": Text("  nó {node} reiniciado", "  node {node} restarted"),
    "back_in_isr": Text(
        "  nó {node} de volta ao ISR, {seconds:.1f} s depois do kill",
        "  node {node} back in the ISR, {seconds:.1f} s after the kill",
    ),
    "flushing": Text(
        "  produtor parado ({sent} enviados); esperando o relatório de entrega de cada um",
        "  producer stopped ({sent} sent); waiting for every delivery report",
    ),
    "reading": Text(
        "  lendo a partição inteira (read_uncommitted): {topic}",
        "  reading the whole partition (read_uncommitted): {topic}",
    ),
    "unclean_topic": Text(
        "  tópico {topic}: réplicas nó {leader} (líder) e nó {follower}; o nó {keeper} só mantém o "
        "quórum; min ISR 1, unclean.leader.election.enable=true",
        "  topic {topic}: replicas node {leader} (leader) and node {follower}; node {keeper} only "
        "keeps the quorum; min ISR 1, unclean.leader.election.enable=true",
    ),
    "follower_killed": Text(
        "  SIGKILL no seguidor, nó {node} ({sent} enviados até aqui)",
        "  SIGKILL to the follower, node {node} ({sent} sent so far)",
    ),
    "isr_shrank": Text(
        "  ISR = [{leader}]: o líder confirma sozinho (acks=1) a partir de agora",
        "  ISR = [{leader}]: from now on the leader acknowledges alone (acks=1)",
    ),
    "leader_alone_killed": Text(
        "  SIGKILL no líder, nó {node}: ~{alone} registros enviados desde a morte do seguidor "
        "só existem nele",
        "  SIGKILL to the leader, node {node}: ~{alone} records sent since the follower died "
        "exist only on it",
    ),
    "unclean_leader": Text(
        "  nó {node} virou líder {seconds:.1f} s depois do kill",
        "  node {node} became leader {seconds:.1f} s after the kill",
    ),
    "cluster_down": Text("\nCluster do lab parado e apagado.", "\nLab cluster stopped and deleted."),
}

# Short headers: the table must fit a terminal. Lost = acknowledged, then absent from the log; gap = the
# longest stretch without any successful delivery report; leader / ISR = seconds from the kill.
COLUMNS = [
    "configuração / setting",
    "enviados / sent",
    "ack",
    "falhas / failed",
    "perdidos / lost",
    "duplicados / dups",
    "sem ack no log / unacked",
    "fora de ordem / reordered",
    "líder s / leader s",
    "ISR s",
    "pausa s / gap s",
]


def message(key: str, lang: str, **params: Any) -> str:
    return MESSAGES[key].format(**params).render(lang)


def acks_report(data: dict[str, Any]) -> Report:
    """``data``: what `run_lab` returns (settings of the run and one result per scenario)."""
    results = data["results"]
    rows: list[list[Cell]] = []
    for r in results:
        c = r["counts"]
        rows.append(
            [
                r["label"],
                c["sent"],
                c["acked"],
                c["failed"],
                c["acked_lost"],
                c["duplicates"],
                c["unacked_present"],
                c["out_of_order"],
                r["leader_change_s"],
                r["back_in_isr_s"],
                round(c["longest_ack_gap_s"], 2),
            ]
        )
    labels = [r["label"] for r in results]
    charts = [
        BarChart(
            "Relatórios de entrega por configuração / delivery reports per setting",
            labels,
            {
                "enviados / sent": [r["counts"]["sent"] for r in results],
                "ack": [r["counts"]["acked"] for r in results],
                "falhas / failed": [r["counts"]["failed"] for r in results],
            },
            "registros / records",
        ),
        # The unclean scenario loses orders of magnitude more: sharing a chart, it would flatten the others.
        *(
            _anomalies(title, group)
            for title, group in (
                ("O que o log mostrou / what the log showed", [r for r in results if r["key"] != "unclean"]),
                ("Eleição suja / unclean election", [r for r in results if r["key"] == "unclean"]),
            )
            if group
        ),
    ]
    return Report(
        kind="lab-acks",
        title=Text(
            "Lab de acks: o líder morre (SIGKILL) no meio da produção",
            "Acks lab: the leader dies (SIGKILL) mid-production",
        ),
        table=Table(COLUMNS, rows),
        data=data,
        charts=charts,
        conclusion=conclusion(data),
    )


def _anomalies(title: str, results: list[dict[str, Any]]) -> BarChart:
    return BarChart(
        title,
        [r["label"] for r in results],
        {
            "perdidos com ack / acked lost": [r["counts"]["acked_lost"] for r in results],
            "duplicados / duplicates": [r["counts"]["duplicates"] for r in results],
            "no log sem ack / unacked in log": [r["counts"]["unacked_present"] for r in results],
        },
        "registros / records",
    )


def conclusion(data: dict[str, Any]) -> Text:
    """3 to 6 sentences, each stating only what this run measured."""
    parts: list[Text] = []
    by_key = {r["key"]: r for r in data["results"]}
    if "acks-0" in by_key:
        _acks0(by_key["acks-0"]["counts"], parts)
    if "acks-1" in by_key:
        _acks1(by_key["acks-1"]["counts"], parts)
    if "acks-all" in by_key:
        _acks_all(by_key["acks-all"]["counts"], parts)
    _unacked(data["results"], parts)
    _failover(data, parts)
    if "unclean" in by_key:
        _unclean(by_key["unclean"], parts)
    return join(parts)


def _acks0(c: dict[str, Any], parts: list[Text]) -> None:
    lost, acked = c["acked_lost"], c["acked"]
    parts.append(
        Text(
            f"Com acks=0 o 'ack' só diz que o registro saiu do cliente: {acked} 'confirmados', "
            f"{lost} deles ausentes do log"
            + ("." if lost else " (desta vez nenhum, mas nada garantia isso)."),
            f"With acks=0 the 'ack' only says the record left the client: {acked} 'acknowledged', "
            f"{lost} of them missing from the log"
            + ("." if lost else " (none this time, but nothing ensured it)."),
        )
    )


def _acks1(c: dict[str, Any], parts: list[Text]) -> None:
    lost, dups = c["acked_lost"], c["duplicates"]
    if lost:
        parts.append(
            Text(
                f"Com acks=1, {lost} registros confirmados pelo líder sumiram: ele confirmou antes de os "
                "seguidores copiarem, e o novo líder não os tinha.",
                f"With acks=1, {lost} records the leader acknowledged are gone: it acknowledged before the "
                "followers copied them, and the new leader never had them.",
            )
        )
    else:
        parts.append(
            Text(
                "Com acks=1 nenhum registro confirmado se perdeu nesta rodada: os seguidores já tinham "
                "copiado tudo quando o líder morreu (o ack não esperou por isso).",
                "With acks=1 no acknowledged record was lost in this run: the followers had already copied "
                "everything when the leader died (the ack did not wait for that).",
            )
        )
    if dups:
        parts[-1] += Text(
            f" Houve {dups} duplicados: sem idempotência, reenvios gravaram de novo lotes já gravados.",
            f" There were {dups} duplicates: without idempotence, retries wrote batches a second time.",
        )


def _acks_all(c: dict[str, Any], parts: list[Text]) -> None:
    lost, dups, acked = c["acked_lost"], c["duplicates"], c["acked"]
    if lost == 0 and dups == 0:
        parts.append(
            Text(
                f"Com acks=all e idempotência, 0 perdidos e 0 duplicados entre {acked} confirmados: cada ack "
                "esperou as réplicas do ISR (ao menos min.insync.replicas=2), e os números de sequência "
                "descartaram os reenvios.",
                f"With acks=all and idempotence, 0 lost and 0 duplicates among {acked} acknowledged: every "
                "ack waited for the ISR replicas (at least min.insync.replicas=2), and sequence numbers "
                "discarded the retries.",
            )
        )
    else:
        parts.append(
            Text(
                f"Com acks=all e idempotência, {lost} perdidos e {dups} duplicados: isso contraria a "
                "garantia do protocolo; veja os logs do lab.",
                f"With acks=all and idempotence, {lost} lost and {dups} duplicates: this contradicts the "
                "protocol's guarantee; check the lab's logs.",
            )
        )


def _unacked(results: list[dict[str, Any]], parts: list[Text]) -> None:
    present = sum(r["counts"]["unacked_present"] for r in results)
    failed = sum(r["counts"]["failed"] for r in results)
    if present:
        parts.append(
            Text(
                f"{present} registros estão no log mesmo sem ack ({failed} falhas no total): um relatório de "
                "erro não prova que o registro não foi gravado.",
                f"{present} records are in the log without an ack ({failed} failures in all): an error "
                "report does not prove the record was not written.",
            )
        )


def _failover(data: dict[str, Any], parts: list[Text]) -> None:
    failovers = [r for r in data["results"] if r["key"] != "unclean"]
    changes = [r["leader_change_s"] for r in failovers if r["leader_change_s"] is not None]
    if not changes:
        return
    gap = max(r["counts"]["longest_ack_gap_s"] for r in failovers)
    session = data["lab"]["broker_session_timeout_ms"] / 1000
    parts.append(
        Text(
            f"A troca de líder levou de {min(changes):.1f} a {max(changes):.1f} s (o controlador cerca um nó "
            f"após {session:g} s sem heartbeat), e a maior pausa sem nenhum ack foi de {gap:.1f} s.",
            f"The leader change took {min(changes):.1f} to {max(changes):.1f} s (the controller fences a "
            f"node after {session:g} s without a heartbeat), and the longest stretch without any ack was "
            f"{gap:.1f} s.",
        )
    )


def _unclean(r: dict[str, Any], parts: list[Text]) -> None:
    lost, node = r["counts"]["acked_lost"], r["new_leader"]
    if not r["unclean_election"]:
        parts.append(
            Text(
                f"No cenário unclean o nó {node} assumiu, mas ainda estava no ISR: a eleição não foi suja.",
                f"In the unclean scenario node {node} took over while still in the ISR: not an unclean "
                "election.",
            )
        )
        return
    if lost:
        parts.append(
            Text(
                f"Com a eleição suja (unclean), o nó {node}, fora do ISR, virou líder e {lost} registros "
                "confirmados sumiram para sempre: o antigo líder descartou o que só ele tinha ao voltar.",
                f"With the unclean election, node {node}, out of the ISR, became leader and {lost} "
                "acknowledged records are gone for good: the old leader discarded what only it had when it "
                "came back.",
            )
        )
    else:
        parts.append(
            Text(
                f"Com a eleição suja (unclean), o nó {node}, fora do ISR, virou líder, e desta vez nenhum "
                "registro confirmado se perdeu.",
                f"With the unclean election, node {node}, out of the ISR, became leader, and this time no "
                "acknowledged record was lost.",
            )
        )
