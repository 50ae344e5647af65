"""The exactly-once audit as pure checks over a Snapshot (docs/audit.md).

Each check returns how many things it examined and every violation it found, worded so a student can follow.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from tools.text import Text
from tools.verify.observations import GROUP_INPUTS, Seen, Snapshot

TERMINAL_TOPICS = ("orders.confirmed", "orders.cancelled")


@dataclass
class PropertyResult:
    id: str
    title: Text
    checked: int = 0
    violations: list[str] = field(default_factory=list)
    info: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.violations


def _orders(snapshot: Snapshot, topic: str) -> Counter[str]:
    return Counter(seen.event["order_id"] for seen in snapshot.events.get(topic, []))


def lost_orders(s: Snapshot) -> PropertyResult:
    r = PropertyResult("P1", Text("Nenhum pedido aceito se perdeu", "No acknowledged order lost"))
    placed = _orders(s, "orders.new")
    r.checked = len(s.accepted_orders)
    r.violations = [
        f"{o}: aceito (202) mas ausente de orders.new" for o in sorted(s.accepted_orders) if not placed[o]
    ]
    return r


def duplicates(s: Snapshot) -> PropertyResult:
    r = PropertyResult("P2", Text("Nenhuma duplicata em nenhum tópico", "No duplicate in any topic"))
    for topic, seen in s.events.items():
        r.checked += len(seen)
        ids = Counter(str(x.event["event_id"]) for x in seen)
        kinds = Counter((x.event["order_id"], x.event["event_type"]) for x in seen)
        r.violations += [f"{topic}: event_id {e} aparece {n} vezes" for e, n in ids.items() if n > 1]
        r.violations += [f"{topic}: {o} tem {n} eventos {t}" for (o, t), n in kinds.items() if n > 1]
    return r


def stage_bijection(s: Snapshot) -> PropertyResult:
    r = PropertyResult(
        "P3", Text("Cada entrada gerou exatamente as saídas esperadas", "Every input has its outputs")
    )

    def one_to_one(inputs: str, outputs: tuple[str, ...]) -> None:
        wanted = set(_orders(s, inputs))
        produced = Counter()
        for topic in outputs:
            produced.update(_orders(s, topic))
        r.checked += len(wanted)
        r.violations += [
            f"{o}: {inputs} sem saída em {'/'.join(outputs)}" for o in sorted(wanted - set(produced))
        ]
        r.violations += [
            f"{o}: {'/'.join(outputs)} sem entrada em {inputs}" for o in sorted(set(produced) - wanted)
        ]
        r.violations += [f"{o}: {n} saídas em {'/'.join(outputs)}" for o, n in produced.items() if n > 1]

    one_to_one("orders.new", ("payments.requested",))
    one_to_one("payments.requested", ("payments.confirmed", "payments.failed"))
    one_to_one("payments.confirmed", ("inventory.reserved", "inventory.failed"))
    one_to_one("payments.refund-requested", ("payments.refunded",))
    one_to_one("inventory.release-requested", ("inventory.released",))
    terminal = set(_orders(s, "orders.confirmed")) | set(_orders(s, "orders.cancelled"))
    notified = set(_orders(s, "notifications.events"))
    r.checked += len(terminal)
    r.violations += [f"{o}: pedido terminado sem notifications.events" for o in sorted(terminal - notified)]
    r.violations += [f"{o}: notificação de pedido não terminado" for o in sorted(notified - terminal)]
    known = {str(x.event["event_id"]) for seen in s.events.values() for x in seen}
    for topic, seen in s.events.items():
        for x in seen:
            cause = x.event.get("causation_id")
            if cause is not None and cause not in known:
                r.violations.append(f"{topic}@{x.partition}:{x.offset}: causa {cause} não existe (fantasma)")
    return r


def offsets_match_outputs(s: Snapshot) -> PropertyResult:
    r = PropertyResult(
        "P4",
        Text(
            "Toda entrada processada está coberta pelo offset confirmado",
            "Every processed input is covered by its group's committed offset",
        ),
    )
    for group, committed in s.committed.items():
        for topic in GROUP_INPUTS[group]:
            for x in s.events.get(topic, []):
                r.checked += 1
                if x.offset >= committed.get((topic, x.partition), 0):
                    r.violations.append(
                        f"grupo {group}: {topic}[{x.partition}]@{x.offset} além do offset confirmado"
                    )
    r.info = {f"lag {group}": lag for group, lag in s.lag.items() if lag}
    return r


def aborted_reads(s: Snapshot) -> PropertyResult:
    r = PropertyResult(
        "P5",
        Text(
            "Registros abortados invisíveis para read_committed",
            "Aborted records invisible to read_committed",
        ),
    )
    r.checked = sum(len(v) for v in s.events.values())
    r.info = {topic: n for topic, n in s.aborted_seen.items() if n}
    r.violations = [
        f"{t}: read_committed viu mais que read_uncommitted ({n})" for t, n in s.aborted_seen.items() if n < 0
    ]
    return r


def causal_order(s: Snapshot) -> PropertyResult:
    r = PropertyResult("P7", Text("Ordem causal por pedido", "Causal order per order"))
    by_id: dict[str, Seen] = {str(x.event["event_id"]): x for seen in s.events.values() for x in seen}
    for x in by_id.values():
        cause = by_id.get(x.event.get("causation_id") or "")
        if cause is None:
            continue
        r.checked += 1
        if x.event["occurred_at"] < cause.event["occurred_at"]:
            r.violations.append(
                f"{x.event['order_id']}: {x.event['event_type']} antes da causa {cause.event['event_type']}"
            )
    return r


def stock_conserved(s: Snapshot) -> PropertyResult:
    r = PropertyResult(
        "P9", Text("Estoque conservado e nunca negativo", "Stock conserved and never negative")
    )
    for product, available, reserved, by_reservations in s.stock:
        r.checked += 1
        if available < 0:
            r.violations.append(f"{product}: estoque disponível negativo ({available})")
        if reserved != by_reservations:
            r.violations.append(
                f"{product}: reservado {reserved} != soma das reservas vivas {by_reservations}"
            )
    for order in _orders(s, "orders.confirmed"):
        if s.reservations.get(order) != "reserved":
            r.violations.append(f"{order}: confirmado sem reserva viva")
    for order in _orders(s, "orders.cancelled"):
        if s.reservations.get(order) == "reserved":
            r.violations.append(f"{order}: cancelado com reserva ainda presa")
    return r


def payments_once(s: Snapshot) -> PropertyResult:
    r = PropertyResult(
        "P10",
        Text(
            "Uma cobrança por pedido, um estorno por compensação",
            "One charge per order, one refund per compensation",
        ),
    )
    charged, refunded = _orders(s, "payments.confirmed"), _orders(s, "payments.refunded")
    confirmed = _orders(s, "orders.confirmed")
    r.checked = len(charged)
    r.violations += [f"{o}: estorno sem cobrança" for o in refunded if not charged[o]]
    r.violations += [f"{o}: pedido confirmado sem cobrança" for o in confirmed if not charged[o]]
    kept = sum(charged.values()) - sum(refunded.values())
    if kept != len(confirmed):
        r.violations.append(f"cobranças - estornos = {kept}, pedidos confirmados = {len(confirmed)}")
    return r


def notified_once(s: Snapshot) -> PropertyResult:
    r = PropertyResult(
        "P11", Text("Uma notificação por pedido terminado", "One notification per finished order")
    )
    terminal = set(_orders(s, "orders.confirmed")) | set(_orders(s, "orders.cancelled"))
    r.checked = len(terminal)
    r.violations += [
        f"{o}: {s.notifications[o]} notificações" for o in sorted(terminal) if s.notifications[o] != 1
    ]
    r.violations += [f"{o}: notificado sem ter terminado" for o in sorted(set(s.notifications) - terminal)]
    return r


def every_order_ends_once(s: Snapshot) -> PropertyResult:
    r = PropertyResult("P14", Text("Todo pedido termina exatamente uma vez", "Every order ends exactly once"))
    ends: dict[str, int] = defaultdict(int)
    for topic in TERMINAL_TOPICS:
        for order, n in _orders(s, topic).items():
            ends[order] += n
    placed = _orders(s, "orders.new")
    r.checked = len(placed)
    r.violations = [f"{o}: {ends[o]} eventos terminais" for o in sorted(placed) if ends[o] != 1]
    return r


def schemas_valid(s: Snapshot) -> PropertyResult:
    r = PropertyResult(
        "P15",
        Text(
            "Todo registro lê com seu schema ou foi para a DLQ",
            "Every record decodes with its schema or was dead-lettered",
        ),
    )
    r.checked = sum(len(v) for v in s.events.values()) + sum(s.undecodable.values())
    # A poison pill is expected (docs/architecture.md §4); what must not happen is one no DLQ accounts for.
    lost = Counter(t for t, p, o in s.poison if (t, p, o) not in s.dead_lettered)
    r.violations = [f"{t}: {n} registros ilegíveis fora de qualquer DLQ" for t, n in lost.items()]
    r.info = {"dead-lettered poison": len(s.poison) - sum(lost.values()), "replay copies": s.replay_copies}
    return r


CHECKS = (
    lost_orders,
    duplicates,
    stage_bijection,
    offsets_match_outputs,
    aborted_reads,
    causal_order,
    stock_conserved,
    payments_once,
    notified_once,
    every_order_ends_once,
    schemas_valid,
)


def audit(snapshot: Snapshot) -> list[PropertyResult]:
    return [check(snapshot) for check in CHECKS]
