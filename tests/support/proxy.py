"""A TCP proxy a test controls: pass traffic, refuse it, hang it, or slow it down.

Put it between the app and a real Redis (or PostgreSQL) to inject faults without
mocking the client: the app's own driver meets real refused connections and timeouts.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time


class TcpProxy:
    PASS = "pass"
    REFUSE = "refuse"  # close every connection at once (a dead server)
    HANG = "hang"  # accept and never answer (a hung server or a black-holed network)
    NOT_REDIS = "not-redis"  # answer as another service would (an HTTP server on the port)
    WRONG_REPLIES = "wrong-replies"  # speak RESP, but answer +OK to every command

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.mode = self.PASS
        self.latency = 0.0  # seconds added to every chunk going either way
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(128)
        self.port = self._listener.getsockname()[1]
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._accept_loop, daemon=True, name="tcp-proxy")
        self._thread.start()

    @property
    def url_host_port(self) -> str:
        return f"127.0.0.1:{self.port}"

    # --- Control --------------------------------------------------------------------

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        if mode != self.PASS:
            self.drop_connections()

    def cut(self) -> None:
        self.set_mode(self.REFUSE)

    def hang(self) -> None:
        self.set_mode(self.HANG)

    def restore(self) -> None:
        self.mode = self.PASS

    def drop_connections(self) -> None:
        with self._lock:
            connections = list(self._connections)
            self._connections.clear()
        for sock in connections:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()

    def close(self) -> None:
        self._stopped.set()
        with contextlib.suppress(OSError):
            self._listener.close()
        self.drop_connections()

    # --- Plumbing -------------------------------------------------------------------

    def _track(self, *socks: socket.socket) -> None:
        with self._lock:
            self._connections.update(socks)

    def _accept_loop(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.mode == self.REFUSE:
                with contextlib.suppress(OSError):
                    client.close()
                continue
            if self.mode == self.HANG:
                self._track(client)  # held open, never answered, closed on restore/close
                continue
            if self.mode in (self.NOT_REDIS, self.WRONG_REPLIES):
                self._track(client)
                answer = self._answer_not_redis if self.mode == self.NOT_REDIS else self._answer_ok
                threading.Thread(target=answer, args=(client,), daemon=True).start()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            self._track(client, upstream)
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _answer_not_redis(self, client: socket.socket) -> None:
        with contextlib.suppress(OSError), client:
            client.recv(65536)
            client.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    def _answer_ok(self, client: socket.socket) -> None:
        """One +OK per complete command (RESP arrays of bulk strings), pipelines included."""
        buffer = b""
        with contextlib.suppress(OSError, ValueError), client:
            while not self._stopped.is_set() and self.mode == self.WRONG_REPLIES:
                data = client.recv(65536)
                if not data:
                    return
                buffer += data
                commands, buffer = _split_commands(buffer)
                if commands:
                    client.sendall(b"+OK\r\n" * commands)

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        peers = {client: upstream, upstream: client}
        try:
            while not self._stopped.is_set():
                readable, _, _ = select.select(list(peers), [], [], 0.2)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    if self.mode == self.HANG:
                        continue  # swallow: the other side waits forever
                    if self.mode == self.REFUSE:
                        return
                    if self.latency:
                        time.sleep(self.latency)
                    peers[sock].sendall(data)
        except (OSError, ValueError):  # ValueError: select() on a socket drop_connections() closed
            return
        finally:
            for sock in (client, upstream):
                with contextlib.suppress(OSError):
                    sock.close()
            with self._lock:
                self._connections.discard(client)
                self._connections.discard(upstream)


def _split_commands(buffer: bytes) -> tuple[int, bytes]:
    """How many complete RESP commands `buffer` starts with, and what is left after them."""
    count = 0
    while buffer.startswith(b"*"):
        position = buffer.find(b"\r\n")
        if position < 0:
            break
        items, cursor = int(buffer[1:position]), position + 2
        complete = True
        for _ in range(items):
            end = buffer.find(b"\r\n", cursor)
            if end < 0:
                complete = False
                break
            length = int(buffer[cursor + 1 : end])
            cursor = end + 2 + length + 2
            if cursor > len(buffer):
                complete = False
                break
        if not complete:
            break
        buffer, count = buffer[cursor:], count + 1
    return count, buffer
