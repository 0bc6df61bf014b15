"""Longest tests first, two in hand per xdist worker (harness/sockspec/schedule.py)."""
import json

from sockspec import schedule


class Item:
    def __init__(self, nodeid, slow=False):
        self.nodeid, self.slow = nodeid, slow

    def get_closest_marker(self, name):
        return object() if name == "slow" and self.slow else None


class Node:
    def __init__(self, name):
        self.name, self.sent, self.shutting_down = name, [], False
        self.gateway = type("Gateway", (), {"id": name})()

    def send_runtest_some(self, indices):
        self.sent += indices

    def shutdown(self):
        self.shutting_down = True


def test_previous_durations_order_the_tests_and_slow_ones_lead_when_unknown(tmp_path):
    previous = tmp_path / "results.json"
    previous.write_text(json.dumps({"tests": [{"nodeid": "a", "duration_s": 0.2}, {"nodeid": "b", "duration_s": 7.3},
                                              {"nodeid": "c", "duration_s": 1.0}]}))
    items = [Item("a"), Item("new"), Item("b"), Item("new_slow", slow=True), Item("c")]
    schedule.longest_first(items, schedule.previous_durations(previous))
    assert [i.nodeid for i in items] == ["b", "new_slow", "c", "new", "a"]
    assert schedule.previous_durations(tmp_path / "absent.json") == {}


def scheduler(nodes, n_tests):
    sched = object.__new__(schedule.LongestFirstScheduling)
    sched.numnodes, sched.pending, sched.collection = len(nodes), [], None
    sched.node2pending = {node: [] for node in nodes}
    sched.node2collection = {node: [f"t{i}" for i in range(n_tests)] for node in nodes}
    sched.log = lambda *a: None
    return sched


def test_each_worker_holds_two_and_the_longest_go_to_different_workers():
    nodes = [Node("w1"), Node("w2"), Node("w3")]
    sched = scheduler(nodes, 10)
    sched.schedule()
    # out and back: the longest (0, 1, 2) start on three workers, the next three queue behind them in reverse
    assert [n.sent for n in nodes] == [[0, 5], [1, 4], [2, 3]]
    sched.mark_test_complete(nodes[1], 1)
    assert nodes[1].sent == [1, 4, 6]
    while any(sched.node2pending.values()):
        for node in nodes:
            if sched.node2pending[node]:
                assert len(sched.node2pending[node]) <= 2
                sched.mark_test_complete(node, sched.node2pending[node][0])
    assert not sched.pending and all(n.shutting_down for n in nodes)
    assert sorted(i for n in nodes for i in n.sent) == list(range(10))
