import os
import sys
import zlib

import pytest

sys.path.insert(0, os.path.dirname(__file__))

import helpers  # noqa: E402
from local_server import LocalServer  # noqa: E402

import ember  # noqa: E402


@pytest.fixture(autouse=True)
def _seeded_inputs(request):
    """Each test draws the same inputs whatever order or worker runs it (reproducible failures)."""
    helpers.reseed(zlib.crc32(request.node.nodeid.encode()))
    yield


@pytest.fixture
def default_float64():
    """Run a test with float64 as the default dtype in ember and torch, restoring float32 after."""
    torch = helpers.torch
    ember.set_default_dtype(ember.float64)
    if torch is not None:
        torch.set_default_dtype(torch.float64)
    yield
    ember.set_default_dtype(ember.float32)
    if torch is not None:
        torch.set_default_dtype(torch.float32)


@pytest.fixture
def http_server(tmp_path_factory):
    """A LocalServer serving a fresh empty directory (``server.root``); tests copy or write files into it."""
    server = LocalServer(tmp_path_factory.mktemp("served"))
    yield server
    server.close()


@pytest.fixture
def serve_directory():
    """A factory: ``serve_directory(path)`` serves an existing directory and returns its LocalServer."""
    servers = []

    def start(directory):
        servers.append(LocalServer(directory))
        return servers[-1]

    yield start
    for server in servers:
        server.close()
