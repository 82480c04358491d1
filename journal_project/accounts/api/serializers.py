from __future__ import annotations

from django.contrib.auth import get_user_model
from rest_framework import serializers

from journal_project.accounts.models import time_zone_names
from journal_project.api.serializers import StrictSerializer, TimestampField

User = get_user_model()


class RegisterInputSerializer(StrictSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
    email = serializers.EmailField(required=False, allow_blank=True, max_length=254)
    time_zone = serializers.ChoiceField(choices=(), required=False)

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_names()


class RegisterOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class TokenInputSerializer(StrictSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, help_text="A label for the device.")


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = TimestampField()


class MeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    # Not an EmailField: the schema would say `format: email`, which the empty string of an
    # account registered without an address is not, and a generated client refuses it.
    email = serializers.CharField(help_text="The e-mail address; an empty string when none was given.")
    time_zone = serializers.CharField(source="profile.time_zone")
    date_joined = TimestampField()


class MeUpdateInputSerializer(StrictSerializer):
    time_zone = serializers.ChoiceField(choices=())

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_names()


class AccountDeleteInputSerializer(StrictSerializer):
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
