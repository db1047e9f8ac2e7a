"""The app under test, in process: ``client`` raises server errors, ``lenient_client``
answers them as a browser would see them (500s), for the tests that look for them."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from neuralab.server import create_app
from tests.helpers import LOCAL


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(), base_url=LOCAL) as c:
        yield c


@pytest.fixture(scope="module")
def lenient_client():
    with TestClient(create_app(), base_url=LOCAL, raise_server_exceptions=False) as c:
        yield c
