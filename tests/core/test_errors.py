"""Bad input anywhere gives a JSON 4xx in the contract's shape, never a 500 or an HTML page."""

import gzip
import json

import pytest

from entries.models import Entry

pytestmark = pytest.mark.django_db


def test_malformed_json_is_a_400_parse_error(api_client):
    response = api_client.post("/api/v1/auth/register/", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_json_array_instead_of_object_is_a_400(api_client):
    response = api_client.post("/api/v1/auth/register/", data="[1, 2]", content_type="application/json")
    assert response.status_code == 400
    assert "error" in response.json()


def test_unsupported_media_type_is_a_415(api_client):
    response = api_client.post("/api/v1/auth/register/", data="<xml/>", content_type="application/xml")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


def test_wrong_method_is_a_405_json(auth_client):
    response = auth_client.put("/api/v1/auth/logout/")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_unknown_api_path_is_a_404_json(api_client):
    response = api_client.get("/api/v1/does-not-exist/")
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Not found."}}


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_oversized_body_is_refused_with_json(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = api_client.post(
        "/api/v1/auth/register/", data='{"username": "' + "a" * 5000 + '"}', content_type="application/json"
    )
    assert response.status_code in (400, 413)
    assert "error" in response.json()


def test_request_id_is_echoed_and_generated(client):
    response = client.get("/health/live/", HTTP_X_REQUEST_ID="abc123def456")
    assert response["X-Request-ID"] == "abc123def456"
    assert len(client.get("/health/live/")["X-Request-ID"]) >= 16


def test_security_headers_and_csp_without_unsafe_inline(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "default-src 'self'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_pages_reference_no_other_origin(client):
    content = client.get("/").content.decode()
    assert "http://" not in content.replace("http://www.w3.org", "")
    assert "https://" not in content


DEEP_JSON = "[" * 5000 + "]" * 5000


@pytest.mark.parametrize("path", ["/api/v1/auth/token/", "/api/v1/auth/register/"])
def test_json_nested_deeper_than_the_decoder_recurses_is_a_400(api_client, path):
    response = api_client.post(path, data=DEEP_JSON, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_deeply_nested_json_in_a_field_is_a_400(auth_client):
    body = '{"title": "t", "body": "b", "tags": ' + DEEP_JSON + "}"
    response = auth_client.post("/api/v1/entries/", data=body, content_type="application/json")
    assert response.status_code == 400


def test_a_json_body_after_a_utf8_byte_order_mark_is_read(auth_client):
    """RFC 8259 lets a parser skip the mark Windows tools write: it was a 400 "Unexpected UTF-8 BOM"."""
    body = "\ufeff" + json.dumps({"title": "Café", "body": "b"})
    response = auth_client.post("/api/v1/entries/", data=body.encode(), content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["title"] == "Café"
    # Only at the start: a mark inside the text is the character it is.
    inside = json.dumps({"title": "a\ufeffb", "body": "b"})
    assert auth_client.post("/api/v1/entries/", data=inside, content_type="application/json").status_code == 201


def test_an_api_path_without_its_slash_is_a_json_404_naming_the_right_one(auth_client):
    # No redirect: a client following a 301 would turn this POST into a GET of the list.
    response = auth_client.post("/api/v1/entries", data={"title": "t", "body": "b"}, format="json")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["message"] == "Not found. API paths end with a slash: /api/v1/entries/"
    assert auth_client.get("/api/v1/entries/").json()["results"] == []


def test_pages_still_redirect_to_their_slashed_path(client):
    response = client.get("/login")
    assert response.status_code == 301
    assert response["Location"] == "/login/"


@pytest.mark.parametrize("path", ["/api/v1/entries/", "/api/v1/sessions/", "/api/v1/knowledge/"])
@pytest.mark.parametrize("page_size", ["x", "0", "-1", "2.5"])
def test_a_page_size_that_is_not_a_whole_number_from_one_is_a_400_naming_it(auth_client, path, page_size):
    response = auth_client.get(path, {"page_size": page_size})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["page_size"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/entries/",
        "/api/v1/entries/?q=word",
        "/api/v1/entries/?tag=word",
        "/api/v1/tags/",
        "/api/v1/sessions/",
        "/api/v1/knowledge/",
        "/api/v1/knowledge/?q=breathing",
    ],
)
@pytest.mark.parametrize("page", [str(2**63 - 1), str(2**63), "9" * 30])
def test_a_page_past_any_possible_end_is_a_404_not_a_database_error(auth_client, path, page):
    # The offset of page 2**63-1 is past PostgreSQL's bigint: searches, sessions and
    # knowledge sent it to the database and answered 500.
    separator = "&" if "?" in path else "?"
    response = auth_client.get(f"{path}{separator}page={page}")
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Invalid page."}}


def test_the_favicon_browsers_ask_for_leads_to_the_icon(client):
    """A page without a <link rel=icon> (raw JSON, /metrics) made the browser log a 404."""
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert "favicon" in response["Location"]
    assert response["Location"].endswith(".svg")


@pytest.mark.parametrize(
    ("method", "path", "accept", "status", "code"),
    [
        ("get", "/api/v1/schema/", "text/html", 406, "not_acceptable"),
        ("get", "/api/v1/schema/", "application/xml", 406, "not_acceptable"),
        ("get", "/api/v1/schema/?format=xml", "*/*", 404, "not_found"),
        ("post", "/api/v1/schema/", "*/*", 405, "method_not_allowed"),
        ("get", "/api/v1/docs/", "application/json", 406, "not_acceptable"),
        ("post", "/api/v1/docs/", "text/html", 405, "method_not_allowed"),
    ],
)
def test_the_schema_and_docs_answer_errors_in_json(client, method, path, accept, status, code):
    """They answered them in YAML (`error:\\n  code: ...`) or as a line of HTML."""
    response = getattr(client, method)(path, HTTP_ACCEPT=accept)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == code


def test_the_schema_and_docs_still_answer_what_they_did(client):
    assert client.get("/api/v1/schema/")["Content-Type"].startswith("application/vnd.oai.openapi")
    assert client.get("/api/v1/schema/?format=json").json()["openapi"].startswith("3.")
    assert client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")["Content-Type"] == "application/json"
    docs = client.get("/api/v1/docs/", HTTP_ACCEPT="text/html")
    assert docs.status_code == 200
    assert docs["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "accept",
    [
        "application/json;q=0",
        "application/json; q=0.0",
        "application/json;q=0, */*",  # the more specific range decides for JSON
        "*/*;q=0",
        "text/csv",
        "text/csv, application/json;q=0",
    ],
)
def test_an_accept_header_that_refuses_json_is_answered_406(auth_client, accept):
    """DRF ignores quality values: `application/json;q=0` (and `*/*;q=0`) got 200 in JSON."""
    response = auth_client.get("/api/v1/auth/me/", HTTP_ACCEPT=accept)
    assert response.status_code == 406
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == "not_acceptable"
    assert "application/json" in error["message"]


@pytest.mark.parametrize(
    "accept",
    [
        None,
        "*/*",
        "application/json",
        "application/*",
        "application/json;q=0.5",
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",  # a browser's
        "*/*;q=0, application/json",
        "text/csv;q=0, */*",
        "application/json;q=nonsense",  # an unreadable weight is ignored, as before
    ],
)
def test_what_accepts_json_still_gets_it(auth_client, accept):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    response = auth_client.get("/api/v1/auth/me/", **headers)
    assert response.status_code == 200
    assert response.json()["username"] == auth_client.user.username


def test_refusing_json_leaves_the_exports_own_formats_and_the_schema_s_yaml(auth_client, client):
    markdown = auth_client.get("/api/v1/export/?format=markdown", HTTP_ACCEPT="application/json;q=0")
    assert markdown.status_code == 200
    assert markdown["Content-Type"] == "application/zip"
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json;q=0, application/vnd.oai.openapi")
    assert schema.status_code == 200
    assert schema["Content-Type"].startswith("application/vnd.oai.openapi")
    indented = auth_client.get("/api/v1/auth/me/", HTTP_ACCEPT="text/csv;q=0, application/json; indent=2")
    assert indented.content.startswith(b"{\n  ")


# Half of a UTF-16 pair, as JSON may spell it: a string UTF-8 cannot encode. Text fields
# refused it, but an error repeating it (a field name, a choice, a time zone) could not be
# rendered: a 500.
LONE_SURROGATE_BODIES = [
    ("post", "/api/v1/entries/", '{"title": "t", "body": "b", "\\ud800": 1}'),
    ("patch", "/api/v1/entries/{entry}/", '{"\\ud800": 1}'),
    ("post", "/api/v1/sessions/", '{"\\ud800": 1}'),
    ("post", "/api/v1/sessions/{session}/end/", '{"\\ud800": true}'),
    ("patch", "/api/v1/auth/me/", '{"time_zone": "\\ud800"}'),
    ("patch", "/api/v1/auth/me/", '{"\\ud800": 1}'),
    ("post", "/api/v1/import/", '{"entries": [{"title": "t", "body": "b", "\\ud800": 1}]}'),
    ("post", "/api/v1/import/", '{"entries": [], "sessions": [{"title": "t", "status": "\\ud800"}]}'),
    ("post", "/api/v1/auth/register/", '{"username": "x", "password": "y", "\\ud800": 1}'),
    ("post", "/api/v1/entries/", '{"title": "\\udfff", "body": "b"}'),
]


@pytest.mark.parametrize(("method", "path", "body"), LONE_SURROGATE_BODIES)
def test_a_lone_surrogate_anywhere_in_json_is_a_400_parse_error(auth_client, user, method, path, body):
    from entries.services import entry_create
    from sessions_app.services import session_create

    entry = entry_create(user=user, title="Mine", body="Words.")
    path = path.format(entry=entry.pk, session=session_create(user=user).pk)
    response = getattr(auth_client, method)(path, data=body.encode(), content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "parse_error"
    assert "\\ud800" in response.json()["error"]["message"] or "\\udfff" in response.json()["error"]["message"]
    entry.refresh_from_db()
    assert entry.title == "Mine"


@pytest.mark.parametrize("path", ["/login/", "/api/v1/entries/", "/admin/login/"])
def test_a_host_not_allowed_is_refused_with_the_framing_and_content_rules(client, path):
    # Refused by CommonMiddleware, the answer never met the middleware that adds them.
    response = client.get(path, HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response["X-Frame-Options"] == "DENY"
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'none'" in csp
    assert "unsafe-inline" not in csp


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br", "GZIP"])
def test_a_compressed_request_body_is_a_415_naming_the_content_encoding(auth_client, user, coding):
    # A gzip body reached the JSON parser as its bytes: a 400 "can't decode byte 0x8b".
    body = gzip.compress(json.dumps({"title": "Compressed", "body": "Sent gzipped."}).encode())
    response = auth_client.generic(
        "POST", "/api/v1/entries/", body, content_type="application/json", HTTP_CONTENT_ENCODING=coding
    )
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"
    assert "Content-Encoding" in response.json()["error"]["message"]
    assert response["Accept-Encoding"] == "identity"
    assert not Entry.objects.filter(user=user).exists()


def test_an_identity_content_encoding_and_a_get_with_one_are_read_as_before(auth_client, user):
    created = auth_client.generic(
        "POST",
        "/api/v1/entries/",
        json.dumps({"title": "Plain", "body": "Sent as is."}),
        content_type="application/json",
        HTTP_CONTENT_ENCODING="identity",
    )
    assert created.status_code == 201
    assert auth_client.get("/api/v1/entries/", HTTP_CONTENT_ENCODING="gzip").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_write_the_database_refuses_at_its_commit_is_a_409_not_a_500(auth_client, user):
    """A concurrent change (the account deleted while its phone wrote) surfaces as a foreign
    key the database checks at the commit: that was a 500 telling the client nothing."""
    from django.db import connection
    from django.db.models.signals import post_save

    def entry_lost_its_account(sender, instance, created, **kwargs):
        if created:
            with connection.cursor() as cursor:  # deferred: checked when the request commits
                cursor.execute("UPDATE entries_entry SET user_id = %s WHERE id = %s", [user.pk + 10_000, instance.pk])

    import logging

    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("journal_project.exceptions")  # the app's loggers do not propagate
    logger.addHandler(handler)
    post_save.connect(entry_lost_its_account, sender=Entry, dispatch_uid="test-lost-account")
    try:
        response = auth_client.post(
            "/api/v1/entries/", {"title": "Private words", "body": "x", "tags": ["secret-tag"]}, format="json"
        )
    finally:
        post_save.disconnect(dispatch_uid="test-lost-account", sender=Entry)
        logger.removeHandler(handler)
    assert response.status_code == 409, response.content
    assert response.json()["error"]["code"] == "conflict"
    assert not Entry.objects.filter(title="Private words").exists()  # nothing half-written
    (logged,) = [record.getMessage() for record in records]
    assert logged.startswith("Write refused by the database (entries_entry_user_id_")  # the constraint's name
    assert "secret-tag" not in logged
    assert "Private words" not in logged
