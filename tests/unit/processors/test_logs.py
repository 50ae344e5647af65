import json
import logging

from processors.logs import JsonFormatter


def test_a_log_line_is_one_json_object_with_the_extra_fields():
    record = logging.LogRecord("pedidos.gateway", logging.INFO, __file__, 1, "aceito %s", ("x",), None)
    record.order_id = "o-1"
    record.correlation_id = "c-1"
    line = json.loads(JsonFormatter("gateway").format(record))
    assert line["msg"] == "aceito x"
    assert (line["level"], line["service"], line["logger"]) == ("info", "gateway", "pedidos.gateway")
    assert (line["order_id"], line["correlation_id"]) == ("o-1", "c-1")
    assert "args" not in line and "ts" in line
