"""`pedidos dlq`: list the dead letters and replay them to their origin topics, safely.

The reading, planning and replaying live in gateway/dlq/, shared with the dashboard's `POST /api/dlq/replay`.
"""
