"""`pedidos chaos`: the kill demo and the failure drills, faults injected under load, proven by the audit.

The kill demo (`pedidos chaos kill`) is `kill`, with its narration in `kill_narration` and its report in
`kill_report`. For the drills (`pedidos chaos <scenario>`), pure logic (recovery times, series, log reading,
poison payloads, the report) lives in `analysis`, `poison` and `report`; the Kafka, database and process edges
in `probes`, `faultlog` and `runner`; the scenarios in `processes`, `outages` and `pills` (indexed by
`scenarios`); the command line in `commands`.
"""
