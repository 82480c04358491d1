"""Factories for the sessions app (the knowledge base itself comes from the shipped data)."""

from __future__ import annotations

import factory

from sessions_app.models import Message, ReflectionSession, Technique
from tests.factories import UserFactory


class TechniqueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Technique
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"technique-{n}")
    name = factory.Sequence(lambda n: f"Technique {n}")
    category = Technique.Category.CBT_TECHNIQUE
    summary = "A short exercise for tests."
    explanation = "helps in tests"
    steps = factory.LazyFunction(lambda: ["First step.", "Second step."])
    questions = factory.LazyFunction(lambda: ["What happened?"])
    sources = factory.LazyFunction(lambda: ["Beck, A. T. (1976). Cognitive Therapy and the Emotional Disorders."])


class ReflectionSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReflectionSession

    user = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Session {n}")


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    session = factory.SubFactory(ReflectionSessionFactory)
    role = Message.Role.USER
    content = "Today was a long day."
