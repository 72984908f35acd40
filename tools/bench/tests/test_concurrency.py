"""Concurrent clients: the mix, the clients' loop against a keep-alive server, the summary and its target."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tools.bench.concurrency import drive, markdown, mix_of, summarize, targets
from tools.bench.measure import Request, Scenario, UnexpectedResponse


class _KeepAliveHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keeps the connection open, as gunicorn's gthread workers do

    def do_GET(self):
        status = 404 if self.path.startswith("/missing") else 200
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def server_port():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _KeepAliveHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def _scenario(key: str, path: str = "/", method: str = "GET", account: str = "big") -> Scenario:
    return Scenario(key=key, label=key, make=lambda index: Request(method, f"{path}?i={index}"), account=account)


CREDENTIALS = {"big": {"Authorization": "Bearer test"}}


def test_the_mix_takes_the_big_read_scenarios_named_but_no_write_and_no_combination():
    scenarios = [
        _scenario("get"),
        _scenario("list"),
        _scenario("combo:tag_and_search"),
        _scenario("patch", method="PATCH"),
        _scenario("small:search:mid", account="small"),
        _scenario("page:list", account="staff"),
    ]

    assert [scenario.key for scenario in mix_of(scenarios)] == ["get", "list"]


def test_every_client_sends_the_mix_for_the_measured_seconds(server_port):
    mix = [_scenario("get"), _scenario("list")]

    driven = drive(server_port, CREDENTIALS, mix, clients=3, seconds=0.3, warmup_seconds=0.1)

    assert set(driven["samples"]) == {"get", "list"}
    assert all(len(values) > 3 for values in driven["samples"].values())
    assert 0.3 <= driven["wall_seconds"] < 2


def test_an_unexpected_status_in_a_client_thread_fails_the_measurement(server_port):
    with pytest.raises(UnexpectedResponse, match="404"):
        drive(server_port, CREDENTIALS, [_scenario("gone", "/missing")], clients=2, seconds=0.2, warmup_seconds=0.1)


def test_the_summary_gives_the_tail_ratio_of_the_whole_mix_and_of_each_scenario_and_the_requests_per_second():
    summary = summarize({"samples": {"get": [2.0] * 100, "list": [5.0] * 96 + [20.0] * 4}, "wall_seconds": 4.0})

    assert summary["requests_per_second"] == 50
    assert summary["mix"] == {"n": 200, "p50": 2.0, "p99": 20.0, "tail_ratio": 10}
    assert summary["scenarios"]["list"] == {"n": 100, "p50": 5.0, "p99": 20.0, "tail_ratio": 4}
    assert summary["scenarios"]["get"]["tail_ratio"] == 1


def _concurrency(mix_ratio: float, tail_ratios: dict[str, float]) -> dict:
    def latency(ratio):
        return {"n": 100, "p50": 2.0, "p99": 2.0 * ratio, "tail_ratio": ratio}

    measured = {
        "requests": 400,
        "requests_per_second": 100.0,
        "mix": latency(mix_ratio),
        "scenarios": {key: latency(ratio) for key, ratio in tail_ratios.items()},
    }
    return {
        "concurrency": {
            "clients": 8,
            "seconds": 20,
            "warmup_seconds": 4,
            "cores": 2,
            "mix": list(tail_ratios),
            "by_workers": {"1": {**measured, "requests_per_second": 60.0}, "2": measured},
        }
    }


def test_a_mix_within_four_times_its_p50_at_p99_meets_the_target_and_names_its_worst_scenario():
    [target] = targets(_concurrency(4.0, {"get": 6.0, "list": 1.5}))

    assert target["met"] is True
    assert "worst scenario get 6.0×" in target["value"]


def test_a_mix_above_four_times_its_p50_at_p99_misses_it():
    [target] = targets(_concurrency(4.5, {"get": 4.5, "list": 1.5}))

    assert (target["met"], target["scenarios"]) == (False, ["get", "list"])


def test_the_section_shows_the_throughput_per_worker_count_and_the_machines_cores():
    text = "\n".join(markdown(_concurrency(1.5, {"get": 1.5})))

    assert "| 1 | 400 | 60 |" in text
    assert "| 2 | 400 | 100 |" in text
    assert "2 cores" in text
