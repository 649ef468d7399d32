"""Accounts API: token sign-in and the caller's own profile."""

from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from .models import User


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})

    def validate(self, attrs: dict) -> dict:
        user = authenticate(
            request=self.context.get("request"),
            email=attrs["email"].lower(),
            password=attrs["password"],
        )
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                "Unable to sign in with these credentials.", code="authorization"
            )
        if not user.emailaddress_set.filter(email__iexact=user.email, verified=True).exists():
            raise serializers.ValidationError(
                "Verify your email address before using the API.", code="unverified"
            )
        attrs["user"] = user
        return attrs


class TokenObtainView(APIView):
    """Exchange email and password for an API token (`Authorization: Token …`)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
        examples=[
            OpenApiExample(
                "Demo contributor",
                value={"email": "contributor@example.org", "password": "demo-password-123"},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})


class MeSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "display_name", "language", "roles", "date_joined"]
        read_only_fields = ["id", "email", "roles", "date_joined"]

    def get_roles(self, user: User) -> list[str]:
        return sorted(user.role_names)


class MeView(APIView):
    """The signed-in user's own profile."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)
