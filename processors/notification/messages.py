"""What the customer is told about a finished order, in pt-BR (pure: no I/O)."""

from __future__ import annotations

from decimal import Decimal

CANCEL_REASONS = {
    "payment_failed": "o pagamento não foi aprovado",
    "out_of_stock": "um dos produtos ficou sem estoque; o valor foi estornado",
    "timeout": "o pedido não foi concluído a tempo",
}


def brl(amount: Decimal) -> str:
    whole, cents = f"{amount:,.2f}".split(".")
    return f"R$ {whole.replace(',', '.')},{cents}"


def confirmed_message(order_id: str, total: Decimal) -> str:
    return f"Seu pedido {order_id} foi confirmado! Total: {brl(total)}. Avisaremos quando sair para entrega."


def cancelled_message(order_id: str, reason: str, refunded: bool) -> str:
    why = CANCEL_REASONS.get(reason, reason)
    refund = " O estorno já foi feito." if refunded and reason != "out_of_stock" else ""
    return f"Seu pedido {order_id} foi cancelado: {why}.{refund}"
