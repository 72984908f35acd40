"""The test receiver behaves as a real server would where the delivery tests depend on it."""

import socket
import time

from webhooks.tests.receiver import Receiver


def test_the_receiver_drops_a_request_whose_body_never_arrives():
    # A worker killed between its headers and its body leaves exactly this on the wire.
    with Receiver() as receiver:
        with socket.create_connection(("127.0.0.1", receiver.server.server_port)) as sender:
            sender.sendall(b"POST /hooks HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nwebhook-id: msg_1\r\n\r\n{")
        deadline = time.monotonic() + 5
        while receiver.cut_off == 0 and time.monotonic() < deadline:
            time.sleep(0.01)

    assert receiver.cut_off == 1
    assert receiver.received == []
