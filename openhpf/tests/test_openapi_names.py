"""One OpenAPI component per schema name: two different schemas with one class name (two `RunIn`s once) end up as
one component in /api/v1/openapi.json, and a caller reading the document validates its body against the wrong one.
Every pydantic model reachable from an operation (bodies, query and path models, responses, their nested fields)
must have a name no other reachable model has."""

from __future__ import annotations

import typing
from collections import defaultdict

from pydantic import BaseModel

from openhpf.api import api


def _models(tp: object, found: set[type]) -> None:
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        if tp in found:
            return
        found.add(tp)
        for f in tp.model_fields.values():
            _models(f.annotation, found)
        return
    for arg in typing.get_args(tp):
        _models(arg, found)


def _reachable() -> set[type]:
    found: set[type] = set()
    for _prefix, router in api._routers:
        for view in router.path_operations.values():
            for op in view.operations:
                for m in op.models:
                    _models(m, found)
                for r in (op.response_models or {}).values():
                    _models(r, found)
    return found


def test_schema_names_are_unique():
    by_name: dict[str, set[str]] = defaultdict(set)
    models = _reachable()
    for m in models:
        by_name[m.__name__].add(f"{m.__module__}.{m.__qualname__}")
    clashes = {name: sorted(where) for name, where in by_name.items() if len(where) > 1}
    assert len(models) > 50  # the walk reaches the API's schemas
    assert not clashes, f"schemas sharing one OpenAPI name: {clashes}"
