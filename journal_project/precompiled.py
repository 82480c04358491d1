"""ORM queries compiled to SQL once per process, for the one query every request runs.

Authentication runs on every API request, and its query (token + user + profile + every
cache generation as a subquery) costs the ORM about as much CPU to *build and compile*
as the rest of a cached request costs altogether (measured with py-spy: two thirds of a
minimal authenticated request went into `QuerySet.annotate`/`SQLCompiler.as_sql`; see
docs/performance.md). The SQL never changes between requests, only one parameter does.

`PrecompiledQuery` builds the queryset once per database alias, keeps the compiled SQL,
and on each call executes it with the new value and hydrates the row exactly as
`ModelIterable` does: the same SQL, the same database converters, `select_related`
objects and annotations included. The query still goes through Django's cursor (so
query counting, the monitoring hooks and transactions see it as before).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

M = TypeVar("M", bound=Model)


def _sentinel_positions(params: Sequence[Any], sentinels: Sequence[Any]) -> tuple[tuple[int, ...], ...]:
    """Where each sentinel landed among the compiled query's parameters (at least once each).

    A value the query uses twice (a search's query text, in the filter and in the rank)
    lands twice, and each call's value goes to every place. The backend may wrap a
    parameter in a subclass (psycopg's Int4 for EXTRACT); the value put there later is
    wrapped the same way (`_with_values`).
    """
    positions = []
    for sentinel in sentinels:
        found = tuple(
            index for index, param in enumerate(params) if isinstance(param, type(sentinel)) and param == sentinel
        )
        if not found:
            raise ValueError(f"the sentinel {sentinel!r} must appear in a query parameter")
        positions.append(found)
    return tuple(positions)


def _with_values(params: Sequence[Any], positions: Sequence[tuple[int, ...]], values: Sequence[Any]) -> list[Any]:
    """The compiled parameters with this call's values in the sentinels' places."""
    result = list(params)
    for places, value in zip(positions, values, strict=True):
        for position in places:
            wrapper = type(result[position])
            result[position] = value if isinstance(value, wrapper) else wrapper(value)
    return result


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    positions: tuple[tuple[int, ...], ...]  # of the varying parameters, in the order of the sentinels
    model: type[Model]
    init_list: list[str]
    start: int
    end: int
    converters: dict[int, tuple[list[Any], Any]]
    populators: list[Any]
    annotations: dict[str, int]


class PrecompiledQuery(Generic[M]):
    """`build(value)` returns the queryset; `first(value)` runs its SQL compiled once.

    `build` must put `value` into query parameters only (a filter) and nothing else may
    depend on it: it is called once, with a sentinel. A query that varies in
    several values takes `sentinels` (one per argument of `build` and of `first`).
    """

    def __init__(
        self, build: Callable[..., QuerySet[M]], sentinel: Any = None, *, sentinels: Sequence[Any] | None = None
    ) -> None:
        self._build = build
        self._sentinels = tuple(sentinels) if sentinels is not None else (sentinel,)
        self._compiled: dict[str, _Compiled] = {}

    def _compile(self, using: str) -> _Compiled:
        queryset = self._build(*self._sentinels)[:1]
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        positions = _sentinel_positions(params, self._sentinels)
        select, klass_info = compiler.select, compiler.klass_info
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        compiled = _Compiled(
            sql=sql,
            params=tuple(params),
            positions=positions,
            model=klass_info["model"],
            init_list=[column[0].target.attname for column in select[start:end]],
            start=start,
            end=end,
            converters=compiler.get_converters([column[0] for column in select]),
            populators=get_related_populators(klass_info, select, using),
            annotations=dict(compiler.annotation_col_map),
        )
        self._compiled[using] = compiled
        return compiled

    def first(self, *values: Any, using: str = DEFAULT_DB_ALIAS) -> M | None:
        if len(values) != len(self._sentinels):
            raise TypeError(f"expected {len(self._sentinels)} values, got {len(values)}")
        compiled = self._compiled.get(using) or self._compile(using)
        connection = connections[using]
        params = _with_values(compiled.params, compiled.positions, values)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        if compiled.converters:
            row = list(row)
            for position, (converters, expression) in compiled.converters.items():
                converted = row[position]
                for converter in converters:
                    converted = converter(converted, expression, connection)
                row[position] = converted
        instance = compiled.model.from_db(using, compiled.init_list, row[compiled.start : compiled.end])
        for populator in compiled.populators:
            populator.populate(row, instance)
        for name, position in compiled.annotations.items():
            setattr(instance, name, row[position])
        return instance  # type: ignore[return-value]


@dataclass(frozen=True)
class _CompiledRows:
    sql: str
    params: tuple[Any, ...]
    positions: tuple[tuple[int, ...], ...]  # of the varying parameters, in the order of the sentinels
    compiler: Any  # applies the database converters, as the ORM's iterables do
    converters: dict[int, tuple[list[Any], Any]]


class PrecompiledRows:
    """A `values_list()` query compiled once per process, run with new parameters.

    `build(*sentinels, **shape)` returns the queryset. Each sentinel must land in query
    parameters (one or more), and the values passed later must be of the same kind (a value
    that would change the SQL itself, like None becoming IS NULL, is not a parameter).
    `shape` holds what does change the SQL (a page's OFFSET, which Django writes into
    the SQL): each shape is compiled once, up to `max_shapes` of them; further shapes are
    compiled for each call, as the ORM would.

    For the reads that a write makes every next request rebuild: compiling them through
    the ORM took two to three times as long as running them (docs/performance.md).
    """

    def __init__(self, build: Callable[..., QuerySet[Any]], *sentinels: Any, max_shapes: int = 16) -> None:
        self._build = build
        self._sentinels = sentinels
        self._max_shapes = max_shapes
        self._compiled: dict[tuple[str, tuple[tuple[str, Any], ...]], _CompiledRows] = {}

    def _compile(self, using: str, shape: dict[str, Any]) -> _CompiledRows:
        queryset = self._build(*self._sentinels, **shape)
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        positions = _sentinel_positions(params, self._sentinels)
        fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
        return _CompiledRows(
            sql=sql,
            params=tuple(params),
            positions=positions,
            compiler=compiler,
            converters=compiler.get_converters(fields),
        )

    def rows(self, *values: Any, using: str = DEFAULT_DB_ALIAS, **shape: Any) -> list[tuple[Any, ...]]:
        if len(values) != len(self._sentinels):
            raise TypeError(f"expected {len(self._sentinels)} values, got {len(values)}")
        key = (using, tuple(sorted(shape.items())))
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compile(using, shape)
            if len(self._compiled) < self._max_shapes:
                self._compiled[key] = compiled
        params = _with_values(compiled.params, compiled.positions, values)
        with connections[using].cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            return [tuple(row) for row in compiled.compiler.apply_converters(rows, compiled.converters)]
        return [tuple(row) for row in rows]
