"""The OpenAPI document has one namespace of component schemas: two routers that each
define a schema class of the same name silently replace each other's in the document, so
clients generated from it read one app's shape for another's. Every name is one class."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections import defaultdict

from ninja import Schema

import linli


def test_no_two_api_schema_classes_share_a_name() -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for module_info in pkgutil.walk_packages(linli.__path__, "linli."):
        if not module_info.name.rsplit(".", 1)[-1].startswith("api"):
            continue
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, Schema)
                and value.__module__.startswith("linli.")
            ):
                owners[name].add(f"{value.__module__}.{value.__qualname__}")
    clashes = {name: sorted(classes) for name, classes in owners.items() if len(classes) > 1}
    assert clashes == {}


def test_the_openapi_document_names_the_care_visit_and_the_sink_down_visit_apart() -> None:
    from linli.api import api

    schemas = api.get_openapi_schema()["components"]["schemas"]
    assert "VisitIn" in schemas  # the care visit
    assert "SinkDownVisitIn" in schemas
    assert "bp_systolic" in schemas["VisitIn"]["properties"]
