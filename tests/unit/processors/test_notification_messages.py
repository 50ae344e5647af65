from decimal import Decimal

from processors.notification.messages import brl, cancelled_message, confirmed_message


def test_money_is_written_the_brazilian_way():
    assert brl(Decimal("1234.5")) == "R$ 1.234,50"
    assert brl(Decimal("0.99")) == "R$ 0,99"


def test_messages_name_the_order_and_the_reason():
    assert confirmed_message("o-1", Decimal("10")).startswith(
        "Seu pedido o-1 foi confirmado! Total: R$ 10,00."
    )
    assert "o pagamento não foi aprovado" in cancelled_message("o-1", "payment_failed", refunded=False)
    assert "estornado" in cancelled_message("o-1", "out_of_stock", refunded=True)
