"""`pedidos dlq`: list the dead letters and replay them to their origin topics, safely (see replay.py)."""
