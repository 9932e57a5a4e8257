"""``/open311/v2/``: GeoReport v2 endpoints, each as ``.json`` or ``.xml``."""

from __future__ import annotations

from django.urls import path

from linli.requests import open311
from linli.requests.open311_openapi import openapi_json

app_name = "open311"

urlpatterns = [
    path("openapi.json", openapi_json, name="openapi"),
    path("discovery.<str:fmt>", open311.discovery, name="discovery"),
    path("services.<str:fmt>", open311.services, name="services"),
    path("services/<slug:service_code>.<str:fmt>", open311.service_definition, name="service"),
    path("requests.<str:fmt>", open311.requests_collection, name="requests"),
    path("requests/<str:service_request_id>.<str:fmt>", open311.request_detail, name="request"),
    path("tokens/<str:token_id>.<str:fmt>", open311.token, name="token"),
]
