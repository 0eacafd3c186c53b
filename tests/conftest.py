import os
import sys
import zlib

import pytest

sys.path.insert(0, os.path.dirname(__file__))

import helpers  # noqa: E402


@pytest.fixture(autouse=True)
def _seeded_inputs(request):
    """Each test draws the same inputs whatever order or worker runs it (reproducible failures)."""
    helpers.reseed(zlib.crc32(request.node.nodeid.encode()))
    yield
