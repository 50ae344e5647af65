"""`pedidos load`: a fixed-rate checkout load with SLO assertions, a JSON report and a chart."""
