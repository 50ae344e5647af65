"""Dead letters and their replay, shared by the dashboard (gateway/telemetry/dlq.py) and `pedidos dlq`."""
