"""Urgent data: send(MSG_OOB), recv(MSG_OOB) and SO_OOBINLINE (tcp(7), RFC 9293 §3.8.5, RFC 6093)."""
import pytest

from sockspec.checks import tcp_data


def _urgent_segment(run, expect):
    conn = run.connection()
    urg = [s for s in tcp_data.new_data_segments(conn) if s.has("URG")]
    one = expect.true("msg_oob_send_segment_urg", bool(len(urg) == 1 and urg[0].length == len(run["sent"])),
                      "the MSG_OOB send is one segment with URG set")
    return (urg[0], urg[0].urgent) if one else (None, None)


@pytest.mark.behaviour("tcp_urgent_oob")
def test_tcp_urgent_oob(probe, family, expect):
    run = probe("--data", "abc")
    expect.is_in("urgent_data_makes_socket_report", "POLLPRI", run["poll_revents"],
                 "urgent data makes the socket report POLLPRI")
    expect.eq("recv_msg_oob_returns_single", run["recv_oob"], "c",
              "recv(MSG_OOB) returns the single urgent byte: the last one sent")
    expect.eq("bytes_read_line_without_urgent", run["inline_reads"], ["ab"],
              "the bytes before it are read in line, without the urgent byte")
    segment, urp = _urgent_segment(run, expect=expect)
    if segment is not None:  # no URG segment: nothing carries an urgent pointer to judge
        expect.eq("urgent_pointer_points_just_past", urp, segment.length,
                  "the urgent pointer points just past the last byte (Linux/BSD semantics, RFC 6093)")


@pytest.mark.behaviour("tcp_urgent_oob")
@pytest.mark.control("SO_OOBINLINE on the receiver")
def test_tcp_urgent_oob_inline_control(probe, family, expect):
    """With SO_OOBINLINE the urgent byte is no longer out of band."""
    run = probe("--data", "abc", "--oobinline")
    expect.eq("recv_msg_oob_fails_einval", run["recv_oob"], "EINVAL",
              "recv(MSG_OOB) fails with EINVAL when urgent data is in line")
    expect.eq("urgent_byte_stays_stream", "".join(run["inline_reads"]), "abc", "the urgent byte stays in the stream")
    expect.eq("line_reads_stop_urgent_mark", run["inline_reads"], ["ab", "c"],
              "in-line reads stop at the urgent mark")
    _urgent_segment(run, expect=expect)
