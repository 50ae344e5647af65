"""Failure drills, `pedidos chaos <scenario>`: faults injected under load, each proven by the audit.

Pure logic (recovery times, series, log reading, poison payloads, the report) lives in `analysis`, `poison`
and `report`; the Kafka, database and process edges in `probes`, `faultlog` and `runner`; the scenarios in
`processes`, `outages` and `pills` (indexed by `scenarios`); the command line in `commands`.
"""
