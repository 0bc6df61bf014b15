"""Named checks (expect.py): every check of a test is judged, a failed one
does not hide the rest, an unobservable value is not a failure, and the
plugin fails the test naming every failed check."""
from pathlib import Path

import pytest

from sockspec import observed
from sockspec.expect import ChecksFailed, Expect

pytest_plugins = ["pytester"]
HARNESS = Path(__file__).resolve().parents[1]


def test_every_check_is_judged_and_the_failure_names_each_failed_one():
    e = Expect()
    assert e.eq("queue_capped", 3, 2, "backlog+1 connections complete") is False
    assert e.eq("dropped", 2, 2, "every further SYN is dropped") is True
    assert e.ge("retransmit_wait", 10, 900, "the retransmission waits the initial RTO") is False
    with pytest.raises(ChecksFailed) as raised:
        e.finish()
    message = str(raised.value)
    assert message.splitlines()[0] == "2 checks failed: queue_capped, retransmit_wait"
    assert "expected == 2, seen 3" in message and "expected >= 900, seen 10" in message


def test_an_unobservable_value_is_unobservable_not_a_failure():
    e = Expect()
    value = observed.wrap({"unobservable": "listener TCP_INFO not supported"})
    assert e.eq("queue_lengths", [value, value], [3, 2], "the accept queue shrinks by one per accept()") is False
    check = e.checks["queue_lengths"]
    assert (check.outcome, check.reason) == ("unobservable", "listener TCP_INFO not supported")
    assert e.is_in("went_through_last_ack", "LAST-ACK", [value], "the client went through LAST-ACK") is False
    assert e.checks["went_through_last_ack"].outcome == "unobservable", "the observation may be the collection"
    e.finish()  # does not raise
    with pytest.raises(TypeError):
        bool(value)  # a missing value is never taken for False


def test_a_check_repeated_in_a_loop_is_one_check_that_fails_if_any_evaluation_fails():
    e = Expect()
    for n in (1, 5, 2):
        e.le("small", n, 3, "each is at most 3")
    check = e.checks["small"]
    assert (check.outcome, check.evaluations, check.failures, check.seen) == ("fail", 3, 1, 5)


def test_a_claim_must_be_one_of_the_behaviours_claims():
    e = Expect(["SEED-12"])
    e.true("ok", True, "fine", claim="SEED-12")
    with pytest.raises(ValueError, match="SEED-1'"):
        e.true("other", True, "fine", claim="SEED-1")
    with pytest.raises(ValueError, match="two different checks"):
        e.true("ok", True, "something else")


def test_true_means_the_boolean_not_a_stand_in():
    e = Expect()
    assert e.true("flag", 1, "a truthy stand-in is not True") is False


def test_a_suite_test_with_two_failing_checks_reports_both(pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(HARNESS))
    pytester.makepyfile(test_two_failures='''
        import pytest

        @pytest.mark.behaviour("tcp_listen_backlog")
        def test_tcp_listen_backlog_two(expect):
            expect.eq("queue_capped", 3, 2, "backlog+1 connections complete", claim="SEED-12")
            expect.eq("dropped", 2, 2, "every further SYN is dropped")
            expect.eq("client_states", ["SYN-SENT"], ["ESTABLISHED"], "the queued clients are established")
    ''')
    result = pytester.runpytest_subprocess("-p", "sockspec.pytest_plugin", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*2 checks failed: queue_capped, client_states*"])
