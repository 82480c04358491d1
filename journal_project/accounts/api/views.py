from __future__ import annotations

from django.contrib.auth import authenticate
from django.contrib.auth import logout as session_logout
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from journal_project.accounts import services
from journal_project.accounts.api import serializers
from journal_project.accounts.models import ApiToken, Profile
from journal_project.api.throttles import AuthRateThrottle
from journal_project.exceptions import JournalError


class InvalidCredentials(JournalError):
    status_code = status.HTTP_401_UNAUTHORIZED
    code = "invalid_credentials"
    default_message = "Unable to log in with the provided credentials."


class RegisterView(APIView):
    """Create an account. Passwords go through Django's validators."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [AuthRateThrottle]

    @extend_schema(request=serializers.RegisterInputSerializer, responses={201: serializers.RegisterOutputSerializer})
    def post(self, request: Request) -> Response:
        data = serializers.RegisterInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_register(**data.validated_data)
        return Response(serializers.RegisterOutputSerializer(user).data, status=status.HTTP_201_CREATED)


class TokenView(APIView):
    """Exchange a username and password for a bearer token (repeated failures lock the account out)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [AuthRateThrottle]

    @extend_schema(
        request=serializers.TokenInputSerializer,
        responses={200: serializers.TokenOutputSerializer, 401: OpenApiResponse(description="Wrong credentials")},
    )
    def post(self, request: Request) -> Response:
        data = serializers.TokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # django-axes counts failures through this call and refuses locked-out clients.
        user = authenticate(
            request._request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if getattr(request._request, "axes_locked_out", False):
            raise LockedOut()
        if user is None:
            raise InvalidCredentials()
        try:
            issued = services.token_issue(user=user, name=data.validated_data.get("name", ""))
        except services.PasswordChanged:
            # The password was changed while it was being checked: it is a wrong one now.
            raise InvalidCredentials() from None
        return Response({"token": issued.raw, "expires_at": issued.expires_at})


class LockedOut(JournalError):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    code = "locked_out"
    default_message = "Too many failed login attempts. Try again later."


class LogoutView(APIView):
    """Revoke the token used for this request (or end the browser session)."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        if isinstance(request.auth, ApiToken):
            services.token_revoke(token=request.auth)
        else:
            session_logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    """The signed-in account: read it, change its time zone, or delete it with everything in it."""

    # DELETE takes the password in its body; the schema documents it (journal_project.api.schema).
    delete_request_body = True

    @extend_schema(responses=serializers.MeOutputSerializer)
    def get(self, request: Request) -> Response:
        return Response(serializers.MeOutputSerializer(request.user).data)

    @extend_schema(request=serializers.MeUpdateInputSerializer, responses=serializers.MeOutputSerializer)
    def patch(self, request: Request) -> Response:
        # PATCH changes what is sent: an empty body is a valid no-op, not a 400.
        data = serializers.MeUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        profile, _ = Profile.objects.get_or_create(user=request.user)
        if "time_zone" in data.validated_data:
            services.profile_update(profile=profile, time_zone=data.validated_data["time_zone"])
        request.user.profile = profile
        return Response(serializers.MeOutputSerializer(request.user).data)

    @extend_schema(request=serializers.AccountDeleteInputSerializer, responses={204: None})
    def delete(self, request: Request) -> Response:
        data = serializers.AccountDeleteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not request.user.check_password(data.validated_data["password"]):
            raise InvalidCredentials("The password is not correct.")
        services.user_delete(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
