"""A local HTTP server on 127.0.0.1 standing in for dataset, weight and checkpoint hosts in tests (no internet).

tests/conftest.py turns it into the ``http_server`` and ``serve_directory`` fixtures every test folder can use.
"""

import functools
import http.server
import os
import threading


class LocalServer:
    """A directory served over HTTP on 127.0.0.1 in a background thread, counting the requests it answers.

    ``url`` is the base URL (ending in "/"); ``root`` the served directory (put files there at any time);
    ``requests`` the request paths in order; ``count(name)`` how many GETs asked for ``name``.
    """

    def __init__(self, root):
        self.root = str(root)
        self.requests = []
        self._lock = threading.Lock()
        handler = functools.partial(_CountingHandler, directory=self.root, server_record=self)
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
        """The number of requests so far, or of those whose path (query dropped) ends with ``name``."""
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

    def __str__(self):
        return self.url


class _CountingHandler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, server_record, **kwargs):
        self._record = server_record
        super().__init__(*args, **kwargs)

    def send_head(self):
        self._record.record(self.path)
        return super().send_head()

    def log_message(self, format, *args):      # keep test output clean
        pass
