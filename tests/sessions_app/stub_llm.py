"""A local HTTP server that speaks the OpenAI chat-completions wire format, for provider tests.

Modes: "success" (a normal completion), "slow" (answers after `delay` seconds), "trickle"
(a normal completion sent a byte every `delay` seconds, so no single read waits long),
"error" (HTTP 500), "status" (an error
answer with the code in `status`: 401 for a wrong key, 404 for a wrong URL), "malformed"
(200 with a body that is not a completion), "throttled" (HTTP 429 with
`Retry-After: retry_after` when that is set). Every request body and header set is
recorded, so tests can check exactly what left the server.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class StubChatServer:
    def __init__(self, mode: str = "success", reply: str = "What feels most alive for you in that?") -> None:
        self.mode = mode
        self.reply = reply
        self.delay = 2.0
        self.retry_after: str | None = None
        self.status = 401
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.paths: list[str] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                stub.requests.append(body)
                stub.headers.append(dict(self.headers))
                stub.paths.append(self.path)
                if stub.mode == "slow":
                    time.sleep(stub.delay)
                if stub.mode == "error":
                    self._send(500, {"error": {"message": "internal error", "type": "server_error"}})
                elif stub.mode == "status":
                    self._send(stub.status, {"error": {"message": f"HTTP {stub.status}", "type": "invalid_request"}})
                elif stub.mode == "throttled":
                    extra = {"Retry-After": stub.retry_after} if stub.retry_after is not None else {}
                    self._send(429, {"error": {"message": "rate limited", "type": "rate_limit"}}, extra)
                elif stub.mode == "malformed":
                    self._send(200, {"unexpected": True})
                elif stub.mode == "nested":  # valid JSON, nested past any parser's recursion
                    self._send(200, b'{"choices": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")
                else:
                    self._send(200, stub.completion(body))

            def _send(self, status: int, payload: dict[str, Any] | bytes, extra: dict[str, str] | None = None) -> None:
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    for name, value in (extra or {}).items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    if stub.mode != "trickle":
                        self.wfile.write(data)
                        return
                    for index in range(len(data)):
                        self.wfile.write(data[index : index + 1])
                        self.wfile.flush()
                        time.sleep(stub.delay)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def completion(self, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "test-model"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": self.reply}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 8, "total_tokens": 18},
        }

    def sent_text(self) -> str:
        """Everything any request carried, for "never sent" assertions."""
        return json.dumps(self.requests)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
