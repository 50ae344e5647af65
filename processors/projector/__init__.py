"""Read-model projector: the order flow's events -> PostgreSQL tables ``orders`` and ``order_events``.

No Kafka transactions here (Pattern B, docs/architecture.md §6.2): the upserts and the
consumed offsets are written in the SAME database transaction, and on assignment the consumer seeks to the
offsets stored in PostgreSQL. A crash can therefore never separate "applied" from "offset advanced".
"""
