from processors.settings import Settings
from tools.stack.kafka import KafkaNode, random_cluster_id


def _properties(brokers: int, node_id: int, tmp_path) -> dict[str, str]:
    node = KafkaNode(Settings(state_dir=tmp_path, kafka_brokers=brokers), node_id)
    lines = [line for line in node.server_properties().splitlines() if line and not line.startswith("#")]
    return dict(line.split("=", 1) for line in lines)


def test_single_node_has_what_transactions_need(tmp_path):
    props = _properties(1, 1, tmp_path)
    assert props["process.roles"] == "broker,controller"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:9192"
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9192"
    assert props["transaction.state.log.replication.factor"] == "1"
    assert props["transaction.state.log.min.isr"] == "1"
    assert props["offsets.topic.replication.factor"] == "1"
    assert props["min.insync.replicas"] == "1"
    assert props["group.initial.rebalance.delay.ms"] == "0"


def test_three_nodes_replicate_three_ways_with_min_isr_two(tmp_path):
    props = _properties(3, 2, tmp_path)
    assert props["node.id"] == "2"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:9192,2@127.0.0.1:9193,3@127.0.0.1:9194"
    assert props["advertised.listeners"] == "PLAINTEXT://127.0.0.1:9093"
    assert props["transaction.state.log.replication.factor"] == "3"
    assert props["min.insync.replicas"] == "2"
    assert props["unclean.leader.election.enable"] == "false"
    assert props["log.dirs"].startswith(str(tmp_path / "kafka-3n" / "node-2"))


def test_cluster_ids_never_start_with_a_dash_the_storage_tool_would_read_as_an_option():
    ids = [random_cluster_id() for _ in range(5000)]  # a leading '-' would come 1 time in 64
    assert all(len(i) == 22 and not i.startswith("-") for i in ids)
    assert len(set(ids)) == len(ids)
