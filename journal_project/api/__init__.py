"""The API base shared by every app: pagination, throttles, strict serializers, conditional GET."""
