"""Every drill's scenario, by name: the faults each injects while the load runs (see the modules below)."""

from __future__ import annotations

from tools.chaos.outages import BrokerBounce, DbOutage, RegistryOutage, transaction_coordinator
from tools.chaos.pills import Poison
from tools.chaos.processes import (
    CrashPointsInTurn,
    RandomKills,
    SlowConsumer,
    Zombie,
    max_poll_interval_configurable,
)

__all__ = [
    "BrokerBounce",
    "CrashPointsInTurn",
    "DbOutage",
    "Poison",
    "RandomKills",
    "RegistryOutage",
    "SlowConsumer",
    "Zombie",
    "max_poll_interval_configurable",
    "transaction_coordinator",
]
