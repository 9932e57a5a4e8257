"""Every add page of the admin answers an empty or hostile form with its errors, never 500.

The hostile probe posted to every admin form: the import-job admin showed every field
read-only yet allowed adding, so any POST to its add page tried to save a job without a
community (IntegrityError, 500). A model the admin cannot fill in is not added there.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from tests.cast import Cast

pytestmark = pytest.mark.django_db


def test_every_add_page_refuses_an_empty_form_without_a_500(cast: Cast, client: Client) -> None:
    client.raise_request_exception = False
    client.force_login(cast.admin)
    problems = []
    checked = 0
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
        if client.get(url).status_code == 403:
            continue  # the admin cannot add these: nothing to post
        checked += 1
        before = model._default_manager.count()
        response = client.post(url, {})
        if response.status_code >= 500:
            problems.append(f"{url}: {response.status_code}")
        elif model._default_manager.count() != before:
            problems.append(f"{url}: an empty form added a {model.__name__}")
    assert checked > 10
    assert problems == []
