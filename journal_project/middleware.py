from __future__ import annotations

import tempfile
from collections.abc import Callable

from asgiref.sync import async_to_sync, iscoroutinefunction
from django.conf import settings
from django.core.exceptions import BadRequest, DisallowedHost
from django.core.handlers.exception import response_for_exception
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.middleware import common
from django.urls import get_script_prefix, resolve, reverse

from journal_project import caching
from journal_project.exceptions import error_body
from journal_project.views import bad_request

# The load balancer's probes (journal_project.health): they reveal nothing host-specific.
PROBE_URL_NAMES = ("health-live", "health-ready")
# The framing and content rules of an answer made before the middleware that adds them
# (XFrameOptionsMiddleware, django-csp's) ran: the probes', and a refused host's page,
# which loads only this site's stylesheet and icon.
EARLY_ANSWER_HEADERS = {
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    ),
}


class CacheRequestStateMiddleware:
    """Each request starts with no remembered cache generations, and stores its values at the end.

    Threads serve many requests one after another and context variables survive
    between them; a generation remembered by the previous request could be stale.
    The values a request stores in the cache are sent in one round trip when it ends
    (`caching.flush_writes`), inside the request's recorded time.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        caching.reset_request_state()
        caching.defer_writes()
        try:
            return self.get_response(request)
        finally:
            caching.flush_writes()
            caching.reset_request_state()


class ProbeMiddleware:
    """Answers /health/live/ and /health/ready/ whatever the Host header names.

    Kubernetes and many load balancers probe the pod or host IP, which ALLOWED_HOSTS
    rightly does not list, so CommonMiddleware's host check answered 400 and the app
    would have been taken out of rotation. Placed just before the first middleware that
    reads the host (CommonMiddleware), after the request id, the request metrics and the
    security headers, so a probe is still logged, measured and answered with those
    headers. It calls the views the URLconf routes these paths to; every other path,
    /health/ included, stays behind host validation.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        # Paths as request.path_info has them: without the script prefix (SCRIPT_NAME).
        prefix = get_script_prefix()
        self.paths = frozenset("/" + reverse(name)[len(prefix) :] for name in PROBE_URL_NAMES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info not in self.paths:
            return self.get_response(request)
        match = resolve(request.path_info)
        request.resolver_match = match  # as the handler would set it: the metrics label the route
        view = match.func
        if iscoroutinefunction(view):  # the health-check views are async; WSGI serves them like Django does
            view = async_to_sync(view)
        response = view(request, *match.args, **match.kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()  # the HTML report is a TemplateResponse, rendered by the handler otherwise
        # The framing and content rules the skipped middleware would have added.
        for name, value in EARLY_ANSWER_HEADERS.items():
            response.headers.setdefault(name, value)
        return response


class CommonMiddleware(common.CommonMiddleware):
    """Django's, without the redirect to the slashed path under /api/.

    APPEND_SLASH answers `POST /api/v1/entries` with an HTML 301 to `/api/v1/entries/`,
    and an HTTP client that follows it turns the POST into a GET: the list comes back
    with a 200 and the entry is silently never created. The API answers a JSON 404
    that names the slashed path instead (journal_project.views.page_not_found); pages
    keep the redirect, which is what a person typing an address wants.
    """

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        try:
            return super().__call__(request)
        except DisallowedHost as error:
            # Answered here, the refusal's page never met the middleware after this one:
            # it went out without a CSP or X-Frame-Options.
            response = response_for_exception(request, error)
            for name, value in EARLY_ANSWER_HEADERS.items():
                response.headers.setdefault(name, value)
            return response

    def should_redirect_with_slash(self, request: HttpRequest) -> bool:
        if request.path_info.startswith("/api/"):
            return False
        return super().should_redirect_with_slash(request)


# gunicorn reads at most this much of a body the app left unread (gunicorn.http.parser).
_SERVER_DRAINS_BYTES = 64 * 1024
# Past this, reading what the client sends is not worth keeping its connection open for.
_DRAIN_AT_MOST_BYTES = 16 * 1024 * 1024
_DRAIN_CHUNK_BYTES = 64 * 1024


class UnreadBodyMiddleware:
    """Reads the rest of a large request body that the answer did not need.

    A request refused before its body is read (an expired token, a method not allowed,
    a body over the upload limit) leaves the body on the connection. gunicorn then reads
    at most 64 KiB of it and closes the connection, after it has answered
    `Connection: keep-alive`: a mobile client whose 1 MB entry met a 401 logs in again
    and retries on a pooled connection that is gone, and sees a network error. Reading
    the rest here keeps the connection usable. Bodies gunicorn drains itself, and bodies
    already read, cost nothing.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return response
        if _SERVER_DRAINS_BYTES < length <= _DRAIN_AT_MOST_BYTES:
            try:
                while request.read(_DRAIN_CHUNK_BYTES):
                    pass
            except OSError:
                pass  # the client went away: nothing left to keep
        return response


# The largest body the app takes: an import file (25 MB) in a multipart form, with room for
# the form's framing. A chunked body past it is refused rather than read on.
_CHUNKED_AT_MOST_BYTES = 26 * 1024 * 1024


class ChunkedBodyMiddleware:
    """Gives a body sent with `Transfer-Encoding: chunked` (no `Content-Length`) to the app.

    Django reads a request body only as far as `Content-Length` says, so without one it
    read nothing: a chunked `PATCH` (what OkHttp or URLSession send for a body streamed
    or of unknown length) answered 200 having changed nothing, an end of session with
    `save_as_entry` ended it without filing the entry, and a chunked create or import was
    told its fields were missing. gunicorn decodes the chunks (`wsgi.input_terminated`):
    the body is read here, into memory up to FILE_UPLOAD_MAX_MEMORY_SIZE and on disk past
    it, and handed on with its length. A server that does not decode them (Django's
    `runserver`) gets a clear 411 instead, so nothing is silently dropped.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        if "chunked" not in meta.get("HTTP_TRANSFER_ENCODING", "").lower() or meta.get("CONTENT_LENGTH"):
            return self.get_response(request)
        if not meta.get("wsgi.input_terminated") or "wsgi.input" not in meta:
            return _refuse_body(request, 411, "length_required", "Send the body with a Content-Length header.")
        with tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE) as body:
            size = 0
            while chunk := meta["wsgi.input"].read(_DRAIN_CHUNK_BYTES):
                size += len(chunk)
                if size > _CHUNKED_AT_MOST_BYTES:
                    # Read on (as UnreadBodyMiddleware does) so the connection stays usable.
                    drained = 0
                    while drained <= _DRAIN_AT_MOST_BYTES and (chunk := meta["wsgi.input"].read(_DRAIN_CHUNK_BYTES)):
                        drained += len(chunk)
                    return _refuse_body(request, 413, "too_large", "The request body is too large.")
                body.write(chunk)
            body.seek(0)
            meta["CONTENT_LENGTH"] = str(size)
            # What WSGIRequest builds from a Content-Length (django.core.handlers.wsgi).
            request._stream = LimitedStream(body, size)  # type: ignore[attr-defined]
            return self.get_response(request)


class RequestContentEncodingMiddleware:
    """A request body in a content coding (`Content-Encoding: gzip`) answers 415, as RFC 7694 says.

    Nothing decodes one: a compressed JSON body reached the parser as its bytes and
    answered `400 parse_error` ("'utf-8' codec can't decode byte 0x8b"), which sent a
    client developer looking for a fault in their JSON (OkHttp's well-known gzip
    interceptor compresses every request body). The 415 says what to change, and its
    `Accept-Encoding: identity` is what RFC 7694 has a server answer. Inside
    UnreadBodyMiddleware, which reads the refused body off the connection.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        coding = meta.get("HTTP_CONTENT_ENCODING", "").strip().lower()
        has_body = (
            meta.get("CONTENT_LENGTH", "") not in ("", "0")
            or "chunked" in meta.get("HTTP_TRANSFER_ENCODING", "").lower()
        )
        if not coding or coding == "identity" or not has_body:
            return self.get_response(request)
        response = _refuse_body(
            request,
            415,
            "unsupported_media_type",
            f'Request bodies are read as sent: "Content-Encoding: {coding[:40]}" is not supported. '
            "Send the body uncompressed, without Content-Encoding.",
        )
        response["Accept-Encoding"] = "identity"
        return response


def _refuse_body(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    # (No `Connection: close`: a WSGI application may not set hop-by-hop headers.)
    if request.path_info.startswith("/api/"):
        response: HttpResponse = JsonResponse(error_body(code, message), status=status)
    else:  # browsers always send a length; a page answers as any malformed request
        response = bad_request(request)
    return response


class HeadWithoutBodyMiddleware:
    """A HEAD answer carries GET's headers, Content-Length included, and no body (RFC 9110).

    Django leaves dropping the body to the server; gunicorn does, but logs a warning for
    every such response, so a load balancer or uptime check probing with HEAD filled the
    error log.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.method != "HEAD":
            return response
        if response.streaming:
            if hasattr(response, "close"):
                response.close()  # a FileResponse's file
            response.streaming_content = iter(())
        else:
            if not response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
            response.content = b""
        return response


class AdminNulParameterMiddleware:
    """A NUL character in an admin page's query parameter is a 400.

    The admin turns a changelist's query parameters into database lookups, its own and
    third-party apps' admins alike (`/admin/auth/user/?username=%00`), and PostgreSQL
    refuses text holding NUL: every such link was a 500. Nothing an operator writes holds
    one; the app's own pages and API strip or refuse it where they read it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.admin_prefix = ""

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        query = request.META.get("QUERY_STRING", "")
        if ("%00" in query or "\x00" in query) and self._holds_nul(request):
            raise BadRequest("A query parameter holds a NUL character.")
        return self.get_response(request)

    def _holds_nul(self, request: HttpRequest) -> bool:
        if not request.path.startswith(self._admin_prefix()):
            return False
        return any("\x00" in key or "\x00" in value for key, values in request.GET.lists() for value in values)

    def _admin_prefix(self) -> str:
        if not self.admin_prefix:
            self.admin_prefix = reverse("admin:index")
        return self.admin_prefix
