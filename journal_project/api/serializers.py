from __future__ import annotations

from typing import Any

from rest_framework import serializers

from journal_project.timestamps import iso_timestamp

# JSON types each field accepts (None is left to the field's own allow_null). DRF's
# fields coerce for HTML forms, where everything is a string, and keep doing it for
# JSON: `"uid": false` became the nil UUID, `"tags": [0]` the tag "0", `"content": 0`
# a message. The API's contract is its schema, so JSON input must have the schema's types.
_STRING_FIELDS = (
    serializers.CharField,
    serializers.DateField,
    serializers.DateTimeField,
    serializers.TimeField,
    serializers.UUIDField,
)
_NUMBER_FIELDS = (serializers.FloatField, serializers.DecimalField)


def _type_error(field: serializers.Field, value: Any) -> str | None:
    """Why `value` (parsed JSON) cannot be meant for `field`, or None when the type fits."""
    if value is None:
        return None
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else "Expected true or false."
    if isinstance(field, serializers.IntegerField):
        return None if isinstance(value, int) and not isinstance(value, bool) else "Expected an integer."
    if isinstance(field, _NUMBER_FIELDS):
        return None if isinstance(value, int | float) and not isinstance(value, bool) else "Expected a number."
    if isinstance(field, serializers.ChoiceField):
        fits = any(type(value) is type(choice) for choice in field.choices)
        return None if fits else "Expected one of the choices."
    if isinstance(field, _STRING_FIELDS):
        if not isinstance(value, str):
            return "Expected a string."
        # DRF measures after trimming whitespace; the schema's maxLength is the text as sent.
        limit = getattr(field, "max_length", None)
        if limit is not None and len(value) > limit:
            return f"Ensure this field has no more than {limit} characters."
        return None
    if isinstance(field, serializers.ListField):
        if not isinstance(value, list):
            return "Expected a list."
        errors = [_type_error(field.child, item) for item in value]
        return next((f"Item {index}: {error}" for index, error in enumerate(errors) if error), None)
    if isinstance(field, serializers.DictField | serializers.Serializer):
        return None if isinstance(value, dict) else "Expected an object."
    return None


UNKNOWN_FIELDS_NAMED = 20


class StrictFieldsMixin:
    """Reject fields the serializer does not know instead of silently ignoring them, and, for
    JSON input, values of the wrong JSON type instead of coercing them."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            known = {name for name, field in self.fields.items() if not field.read_only}  # type: ignore[attr-defined]
            unknown = sorted(set(data) - known)
            if unknown:
                # The first few by name: a body within the size limit holds 150,000 names
                # (`"k1":1,…`), and naming each took 2.5 s and answered 4 MB.
                named = unknown[:UNKNOWN_FIELDS_NAMED]
                raise serializers.ValidationError({name: ["Unknown field."] for name in named})
            # A QueryDict (form or multipart) carries strings only: DRF's coercion is right there.
            if not hasattr(data, "getlist"):
                wrong = {
                    name: [error]
                    for name, value in data.items()
                    if (error := _type_error(self.fields[name], value))  # type: ignore[attr-defined]
                }
                if wrong:
                    raise serializers.ValidationError(wrong)
        elif data is not None and not isinstance(data, dict):
            raise serializers.ValidationError({"non_field_errors": ["Expected a JSON object."]})
        return super().to_internal_value(data)  # type: ignore[misc]


class StrictSerializer(StrictFieldsMixin, serializers.Serializer):
    """An input serializer that refuses unknown fields and values of the wrong JSON type."""


class TimestampField(serializers.DateTimeField):
    """An output datetime in the API's one shape (`journal_project.timestamps`), not DRF's.

    DRF writes `isoformat()`, without the fraction when the microseconds are zero, and in
    the active time zone rather than UTC.
    """

    def to_representation(self, value: Any) -> str | None:
        return iso_timestamp(value) if value else None
