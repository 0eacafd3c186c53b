"""Fixtures shared by the audio tests: a local HTTP server on 127.0.0.1 standing in for dataset hosts, and the
paths of the real recordings Debian ships (spoken digits at 8 kHz, LibriVox utterances at 16 kHz)."""

import functools
import http.server
import os
import threading

import pytest

DIGITS_DIR = "/usr/share/asterisk/sounds/en_US_f_Allison/digits"        # Debian asterisk-core-sounds-en-wav
LIBRIVOX_DIR = "/usr/share/pocketsphinx/test/data/librivox"              # Debian pocketsphinx-testdata


def _real_wavs(directory, package):
    if not os.path.isdir(directory):
        pytest.skip(f"real recordings absent: install the Debian package {package} ({directory})")
    return sorted(os.path.join(directory, name) for name in os.listdir(directory) if name.endswith(".wav"))


@pytest.fixture
def digit_wavs():
    """The spoken-digit WAV files 0.wav .. 9.wav (8 kHz mono, 16-bit), or a skip naming the package."""
    wavs = _real_wavs(DIGITS_DIR, "asterisk-core-sounds-en-wav")
    digits = [path for path in wavs if os.path.basename(path)[:-4] in {str(d) for d in range(10)}]
    if len(digits) != 10:
        pytest.skip(f"expected the ten digit recordings 0.wav..9.wav in {DIGITS_DIR}")
    return digits


@pytest.fixture
def librivox_wavs():
    """The LibriVox utterances of pocketsphinx-testdata (16 kHz mono, 16-bit), or a skip naming the package."""
    return _real_wavs(LIBRIVOX_DIR, "pocketsphinx-testdata")


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


@pytest.fixture
def http_server(tmp_path_factory):
    """A LocalServer serving a fresh empty directory (``server.root``); tests copy or write files into it."""
    server = LocalServer(tmp_path_factory.mktemp("served"))
    yield server
    server.close()
