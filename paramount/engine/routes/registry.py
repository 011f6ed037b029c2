"""The registry of routes: every route to a child, in pipeline order, checked once here.

Everything that differs by route reads this tuple: the evidence steps and their union, the
methods' pipelines, the decision model's pair columns, features, levels, applicability and
fixed factors, the order of the evidence text, and the contract's route names (asserted equal
to `contract.tables.ROUTES` by the tests). A route is added by writing its module (ending in
`ROUTE = Route(...)`) and listing it in `ROUTES` below; a route that does not declare what the
decision model needs is refused at import, not silently ignored.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from paramount.engine.pipeline import LEARNT, RunParameters, Step
from paramount.engine.routes import (
    co_occurrence,
    co_residence,
    partner_relationships,
    prisoner_contacts,
    recorded_relationships,
    through_parent,
)
from paramount.engine.routes.evidence import EVIDENCE_COLUMNS
from paramount.engine.routes.route import APPLICABILITY, Feature, Route


class RouteError(ValueError):
    """A route that the decision model could not use as declared."""


def check_routes(routes: Iterable[Route]) -> tuple[Route, ...]:
    """The routes, in order, once each has been checked to reach the decision model."""
    routes = tuple(routes)
    _unique("route name", [r.name for r in routes])
    _unique("contract name", [r.contract_name for r in routes])
    _unique("list order", [r.list_order for r in routes])
    _unique("evidence step", [s.name for r in routes for s in r.steps])
    _unique("pair column", [c.name for r in routes for c in (*r.pair_columns, *r.dated_columns)])
    _unique("dated alias", [r.dated_alias for r in routes if r.dated_columns])
    features: dict[str, Feature] = {}
    for route in routes:
        if not route.steps:
            raise RouteError(f"route {route.name!r} has no evidence step")
        if route.share is not None and route.share.model != LEARNT:
            raise RouteError(
                f"route {route.name!r}: its share is learnt from the whole force, so part of "
                "the kept model (Step(..., model=LEARNT))"
            )
        if route.dated_columns and not route.dated_alias.isidentifier():
            raise RouteError(f"route {route.name!r}: dated columns need an SQL alias")
        if not route.features:
            raise RouteError(
                f"route {route.name!r} declares no decision features: its evidence would "
                "reach no comparison vector"
            )
        for feature in route.features:
            _check_feature(route, feature)
            seen = features.setdefault(feature.name, feature)
            if seen is not feature:
                raise RouteError(
                    f"route {route.name!r}: feature {feature.name!r} is declared twice "
                    "differently (a shared feature must be the same object)"
                )
    return routes


def _check_feature(route: Route, feature: Feature) -> None:
    where = f"route {route.name!r}, feature {feature.name!r}"
    if not feature.name.isidentifier():
        raise RouteError(f"{where}: the name must be an SQL identifier (column l_<name>)")
    if feature.applies not in APPLICABILITY:
        known = ", ".join(APPLICABILITY)
        raise RouteError(f"{where}: applicability {feature.applies!r} unknown ({known})")
    if not feature.levels:
        raise RouteError(f"{where}: no levels")
    if feature.none_level not in feature.levels:
        raise RouteError(f"{where}: level for no evidence {feature.none_level!r} not a level")
    unknown = sorted(set(feature.fixed) - set(feature.levels))
    if unknown:
        raise RouteError(f"{where}: fixed factors for undeclared levels {unknown}")
    if not feature.levels_sql.strip():
        raise RouteError(f"{where}: no levels SQL")


def _unique(what: str, values: Sequence[object]) -> None:
    repeated = sorted(str(v) for v, n in Counter(values).items() if n > 1)
    if repeated:
        raise RouteError(f"{what} used by more than one route: {repeated}")


def route_features(routes: Iterable[Route]) -> tuple[Feature, ...]:
    """The routes' features, each once, in the routes' order."""
    features: dict[str, Feature] = {}
    for route in routes:
        for feature in route.features:
            features.setdefault(feature.name, feature)
    return tuple(features.values())


ROUTES: tuple[Route, ...] = check_routes(
    (
        recorded_relationships.ROUTE,
        prisoner_contacts.ROUTE,
        partner_relationships.ROUTE,
        co_residence.ROUTE,
        co_occurrence.ROUTE,
        through_parent.ROUTE,
    )
)
ROUTE_FEATURES: tuple[Feature, ...] = route_features(ROUTES)
ROUTE_STEPS: tuple[Step, ...] = tuple(step for route in ROUTES for step in route.steps)


def evidence_sql(params: RunParameters) -> str:
    """Every route's rows in one table, stored in the order of the child (then the adult): a
    day's run looks up a handful of children's rows, and the database then skips the blocks
    holding none of them (built once per extract, it costs a sort; a day's run at 2.4 million
    people reads a second less)."""
    cols = ", ".join(EVIDENCE_COLUMNS)
    union = "\nUNION ALL\n".join(
        f"SELECT {cols} FROM {params.table(step.name)}" for step in ROUTE_STEPS
    )
    return f"{union}\nORDER BY child_entity, adult_entity"


EVIDENCE = Step(
    "evidence", "Every route's evidence rows in one table", evidence_sql, window_free=True
)
