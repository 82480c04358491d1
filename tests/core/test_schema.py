"""The OpenAPI schema is valid and unambiguous: mobile clients generate code from it."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_schema_generates_without_warnings():
    result = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]


def generated_schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator(api_version="v1").get_schema(request=None, public=True)


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method.upper(), operation


def test_every_operation_documents_the_errors_it_can_answer():
    """The fuzzer found answers the schema did not mention (401, 404, 429, ...); now each is declared."""
    schema = generated_schema()
    error = {"$ref": "#/components/schemas/Error"}
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        label = f"{method} {path}"
        for status in ("406", "503"):
            assert responses[status]["content"]["application/json"]["schema"] == error, label
        if "security" in operation and {} not in operation["security"]:
            assert {"401", "403"} <= set(responses), label
        if "{" in path:
            assert "404" in responses, label
        if "requestBody" in operation:
            assert {"400", "413", "415"} <= set(responses), label
    by_id = {operation["operationId"]: operation for _, _, operation in operations(schema)}
    assert "429" in by_id["auth_token_create"]["responses"]
    assert "429" in by_id["sessions_messages_create"]["responses"]
    assert "429" not in by_id["entries_retrieve"]["responses"]
    assert "410" in by_id["entries_list"]["responses"]
    assert "409" in by_id["sessions_end_create"]["responses"]


def test_every_error_response_declares_the_error_body():
    """Errors a view declared by description only (the token's 401, a session's 404, a message's
    409) had no content in the schema, though the server answers the error shape."""
    error = {"$ref": "#/components/schemas/Error"}
    for path, method, operation in operations(generated_schema()):
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                assert response["content"]["application/json"]["schema"] == error, f"{method} {path} {status}"
    by_id = {operation["operationId"]: operation for _, _, operation in operations(generated_schema())}
    # (the Idempotency-Key adds its own 409 to the description: test_the_creates_declare_...)
    assert by_id["sessions_messages_create"]["responses"]["409"]["description"].startswith("The session has ended")


def test_strict_inputs_refuse_unknown_properties_and_bodies_are_json():
    schema = generated_schema()
    components = schema["components"]["schemas"]
    for name in ("EntryCreateRequest", "PatchedEntryInputRequest", "MessageCreateInputRequest", "RegisterInputRequest"):
        assert components[name]["additionalProperties"] is False, name
    for path, method, operation in operations(schema):
        media_types = set(operation.get("requestBody", {}).get("content", {}))
        if path.endswith("/import/"):
            assert media_types == {"application/json", "multipart/form-data"}
        elif media_types:
            assert media_types == {"application/json"}, f"{method} {path}"


def test_filters_state_the_limits_the_server_enforces():
    schema = generated_schema()
    by_id = {operation["operationId"]: operation for _, _, operation in operations(schema)}
    parameters = {p["name"]: p for p in by_id["entries_list"]["parameters"]}
    assert parameters["mood"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 5}
    assert parameters["q"]["schema"]["maxLength"] == 200
    assert parameters["updated_since"]["allowEmptyValue"] is True  # `?updated_since=` means no filter
    days = {p["name"]: p for p in by_id["stats_retrieve"]["parameters"]}["days"]
    assert (days["schema"]["minimum"], days["schema"]["maximum"]) == (1, 366)
    assert days["allowEmptyValue"] is True  # fuzzer: `?days=` answers the default, not a 400


def test_account_deletion_documents_its_password_body():
    schema = generated_schema()
    body = schema["paths"]["/api/v1/auth/me/"]["delete"]["requestBody"]
    assert body["required"] is True
    assert body["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/AccountDeleteInputRequest"}


def test_conditional_gets_document_304_and_if_none_match():
    schema = generated_schema()
    for path in ("/api/v1/entries/", "/api/v1/entries/{id}/", "/api/v1/stats/", "/api/v1/sessions/{session_id}/"):
        operation = schema["paths"][path]["get"]
        assert "304" in operation["responses"], path
        assert any(p["name"] == "If-None-Match" and p["in"] == "header" for p in operation["parameters"]), path
    assert "304" not in schema["paths"]["/api/v1/prompts/today/"]["get"]["responses"]


def test_every_paginated_list_documents_page_and_page_size():
    """Sessions, tags and knowledge took `page` and `page_size` (400 for a bad size, 404 past
    the end) without the schema naming them: generated clients could not page those lists."""
    schema = generated_schema()
    components = schema["components"]["schemas"]
    paginated = []
    for path, method, operation in operations(schema):
        ok = operation["responses"].get("200", {}).get("content", {}).get("application/json", {}).get("schema", {})
        ref = ok.get("$ref", "").rsplit("/", 1)[-1]
        properties = components.get(ref, ok).get("properties", {})
        if method != "GET" or not {"count", "next", "previous", "results"} <= set(properties):
            continue
        paginated.append(path)
        names = {parameter["name"]: parameter for parameter in operation.get("parameters", [])}
        assert {"page", "page_size"} <= set(names), path
        # The server refuses 0 and below (a 404 for `page`, a 400 for `page_size`).
        assert names["page"]["schema"]["minimum"] == names["page_size"]["schema"]["minimum"] == 1, path
        assert {"400", "404"} <= set(operation["responses"]), path
    assert {
        "/api/v1/entries/",
        "/api/v1/tags/",
        "/api/v1/sessions/",
        "/api/v1/knowledge/",
        "/api/v1/monitoring/summary/",
    } <= set(paginated)


def test_every_list_answer_has_the_shape_of_a_list():
    """CONTRACT §3: lists are `{"next", "previous", "results"}`. The monitoring summary answered
    `{"results": [...]}` alone, so a client's one list reader failed on it."""
    schema = generated_schema()
    components = schema["components"]["schemas"]
    for path, method, operation in operations(schema):
        ok = operation["responses"].get("200", {}).get("content", {}).get("application/json", {}).get("schema", {})
        ref = ok.get("$ref", "").rsplit("/", 1)[-1]
        component = components.get(ref, ok)
        if "results" in component.get("properties", {}):
            assert {"count", "next", "previous"} <= set(component["required"]), f"{method} {path}"


def _free_objects(node, where):
    """Places in a schema that promise an object without saying what is in it."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _free_objects(item, f"{where}[{index}]")
    elif isinstance(node, dict):
        if node.get("type") == "object" and "properties" not in node:
            yield where
        for key, value in node.items():
            yield from _free_objects(value, f"{where}.{key}")


def test_answers_are_typed_all_the_way_down():
    """A summary's `mood` and `techniques` and a session's `techniques_used` were free objects,
    which a client generated from the schema reads as untyped dictionaries; the message
    answer's `status` and the monitoring target's `status` and `comparison` were free strings,
    and `violation_open_since` a string without its date-time format."""
    components = generated_schema()["components"]["schemas"]
    # An error's `fields` maps the caller's own field names to messages: free by nature.
    allowed = {"ErrorDetail.properties.fields"}
    free = {place for name, component in components.items() for place in _free_objects(component, name)}
    assert free <= allowed
    assert components["MessagePostOut"]["properties"]["status"]["allOf"] == [
        {"$ref": "#/components/schemas/MessagePostStatusEnum"}
    ]
    assert components["MessagePostStatusEnum"]["enum"] == ["complete", "pending"]
    target = components["TargetSummary"]["properties"]
    assert target["status"] == {"$ref": "#/components/schemas/TargetStatusEnum"}
    assert components["ComparisonEnum"]["enum"] == ["lt", "gt"]
    assert target["violation_open_since"]["format"] == "date-time"


def _json_schema(node):
    """An OpenAPI 3.0 schema as JSON Schema: `nullable` becomes a type that admits null."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        converted = {"anyOf": [converted, {"type": "null"}]}
    return converted


def assert_conforms(instance, component: str) -> None:
    import jsonschema

    schema = _json_schema(generated_schema())
    jsonschema.validate(
        instance,
        {"components": schema["components"], "$ref": f"#/components/schemas/{component}"},
        format_checker=jsonschema.FormatChecker(),
    )


@pytest.mark.django_db
def test_an_account_without_an_address_conforms_to_the_schema(auth_client, user):
    """`email` was `format: email`, and an account registered without one answers ""."""
    user.email = ""
    user.save(update_fields=["email"])
    body = auth_client.get("/api/v1/auth/me/").json()
    assert body["email"] == ""
    assert_conforms(body, "MeOutput")


def test_the_headers_a_client_acts_on_are_declared():
    """No response declared a header: a generated client knew neither the ETag to send back
    nor how long a 429 or 503 asks it to wait."""
    by_id = {operation["operationId"]: operation for _, _, operation in operations(generated_schema())}
    for operation in by_id.values():
        for status in ("429", "503"):
            if status in operation["responses"]:
                assert operation["responses"][status]["headers"]["Retry-After"]["schema"]["type"] == "integer"
        if "304" in operation["responses"]:
            for status in ("200", "304"):
                assert operation["responses"][status]["headers"]["ETag"]["required"] is True
    assert "ETag" in by_id["stats_retrieve"]["responses"]["200"]["headers"]
    assert "Location" in by_id["entries_create"]["responses"]["201"]["headers"]


@pytest.mark.django_db
def test_the_declared_headers_are_sent(auth_client):
    created = auth_client.post("/api/v1/entries/", {"title": "A walk", "body": "By the river."}, format="json")
    assert created.status_code == 201
    assert created["Location"] == f"/api/v1/entries/{created.json()['id']}/"
    for path in ("/api/v1/entries/", created["Location"], "/api/v1/stats/", "/api/v1/tags/", "/api/v1/sessions/"):
        fresh = auth_client.get(path)
        assert fresh["ETag"]
        assert auth_client.get(path, HTTP_IF_NONE_MATCH=fresh["ETag"])["ETag"] == fresh["ETag"]


def test_the_creates_declare_the_optional_idempotency_key_and_its_answers():
    """Clients generated from the schema learn of the header, the replay mark and the 409/422."""
    schema = generated_schema()
    by_id = {operation["operationId"]: operation for _, _, operation in operations(schema)}
    idempotent = {"entries_create", "sessions_create", "sessions_messages_create"}
    for operation_id, operation in by_id.items():
        headers = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "header"}
        if operation_id not in idempotent:
            assert "Idempotency-Key" not in headers, operation_id
            continue
        key = headers["Idempotency-Key"]
        assert key["required"] is False
        assert key["schema"]["maxLength"] == 255
        responses = operation["responses"]
        assert responses["422"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
        assert "idempotency_key_in_use" in responses["409"]["description"]
        assert "Idempotent-Replayed" in responses["201"]["headers"], operation_id
    # The message's own 409 is still described beside the key's.
    assert "The session has ended" in by_id["sessions_messages_create"]["responses"]["409"]["description"]
