"""Factories for entries. Entries are made through the real service, so rendering, tags,
search vectors and cache invalidation are exactly what the app produces."""

from __future__ import annotations

import factory

from entries import services
from entries.models import Entry, Tag
from tests.factories import UserFactory


class EntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entry

    user = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Entry number {n}")
    body = factory.Faker("paragraph", nb_sentences=4)
    mood = None
    tags: tuple = ()
    entry_date = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.entry_create(**kwargs)


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"tag{n}")
