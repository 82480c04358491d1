"""Local servers standing in for the alert channels: a webhook and a mail relay."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class WebhookReceiver:
    def __init__(self, statuses: list[int]) -> None:
        self.statuses = list(statuses)
        self.received: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                receiver.received.append(json.loads(self.rfile.read(length)))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class SmtpReceiver:
    """A local SMTP server standing in for the mail relay: refuses the first `refusals`
    messages with a temporary failure (451, as a relay that is restarting or overloaded
    does), then accepts. `received` holds the subjects of the accepted messages."""

    def __init__(self, refusals: int = 0) -> None:
        self.refusals = refusals
        self.received: list[str] = []
        self.attempts = 0
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.2)
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return self._socket.getsockname()[1]

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            with connection, connection.makefile("rwb") as stream:
                self._session(stream)

    def _session(self, stream) -> None:  # type: ignore[no-untyped-def]
        def say(line: str) -> None:
            stream.write(line.encode() + b"\r\n")
            stream.flush()

        say("220 stub ESMTP")
        while line := stream.readline():
            command = line.decode().strip().upper()
            if command.startswith(("EHLO", "HELO")):
                say("250 stub")
            elif command == "DATA":
                say("354 go on")
                lines = []
                while (data := stream.readline().decode()) not in (".\r\n", ""):
                    lines.append(data)
                self.attempts += 1
                if self.refusals:
                    self.refusals -= 1
                    say("451 4.3.0 try again later")
                else:
                    subject = next((x[len("Subject: ") :].strip() for x in lines if x.startswith("Subject: ")), "")
                    self.received.append(subject)
                    say("250 accepted")
            elif command == "QUIT":
                say("221 bye")
                return
            else:
                say("250 ok")

    def close(self) -> None:
        self._stop.set()
        self.thread.join(timeout=5)
        self._socket.close()
