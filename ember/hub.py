"""torch.hub: download files and checkpoints into a cache directory, and load models from hubconf.py repos.

Cache directory (``get_dir()``), first match wins:

1. the directory given to ``set_dir``;
2. ``$EMBER_HOME/hub`` when ``EMBER_HOME`` is set;
3. ``$TORCH_HOME/hub`` when ``TORCH_HOME`` is set (so ember shares a cache that PyTorch already filled);
4. ``$XDG_CACHE_HOME/ember/hub``, with ``XDG_CACHE_HOME`` defaulting to ``~/.cache``.

Every download goes to a temporary file beside the destination and is renamed into place only once complete
(and, when asked, hash-checked), so an interrupted or corrupted download never leaves a broken cached file.
Every function that takes a URL also takes ``file://`` URLs and plain local paths.
"""

import contextlib
import hashlib
import importlib.util
import os
import re
import shutil
import sys
import tempfile
import uuid
import warnings
import zipfile
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import urlparse
from urllib.request import Request, urlopen

from .utils.progress import ProgressBar

__all__ = ["download_url_to_file", "get_dir", "help", "list", "load", "load_state_dict_from_url", "set_dir"]

ENV_EMBER_HOME = "EMBER_HOME"
ENV_TORCH_HOME = "TORCH_HOME"
ENV_XDG_CACHE_HOME = "XDG_CACHE_HOME"
ENV_GITHUB_TOKEN = "GITHUB_TOKEN"
DEFAULT_CACHE_DIR = "~/.cache"
MODULE_HUBCONF = "hubconf.py"
VAR_DEPENDENCY = "dependencies"
READ_DATA_CHUNK = 128 * 1024
USER_AGENT = "ember.hub"

# The hash prefix in a checkpoint's name: "bfd8deac" in "resnet18-bfd8deac.pth".
HASH_REGEX = re.compile(r"-([a-f0-9]*)\.")

# Where repository archives come from: "{base}/{owner}/{name}/zipball/{ref}". Tests point it at a local server.
GITHUB_ARCHIVE_BASE = "https://github.com"
_TRUSTED_REPO_OWNERS = ("facebookresearch", "facebookincubator", "pytorch", "fairinternal")

_hub_dir = None


# ----------------------------------------------------------------------------------------------- cache directory

def _get_ember_home():
    """The directory holding ember's caches: ``$EMBER_HOME``, else ``$TORCH_HOME``, else ``$XDG_CACHE_HOME/ember``."""
    for variable in (ENV_EMBER_HOME, ENV_TORCH_HOME):
        if os.getenv(variable):
            return os.path.expanduser(os.getenv(variable))
    return os.path.expanduser(os.path.join(os.getenv(ENV_XDG_CACHE_HOME, DEFAULT_CACHE_DIR), "ember"))


def get_dir():
    """Return the hub cache directory (downloaded repos, and checkpoints under ``checkpoints/``).

    >>> import ember.hub
    >>> ember.hub.get_dir().endswith("hub")
    True
    """
    if os.getenv("TORCH_HUB"):
        warnings.warn("TORCH_HUB is deprecated, please use env TORCH_HOME instead", stacklevel=2)
    if _hub_dir is not None:
        return _hub_dir
    return os.path.join(_get_ember_home(), "hub")


def set_dir(d):
    """Use ``d`` as the hub cache directory from now on (overrides the environment variables).

    >>> import ember.hub, tempfile
    >>> ember.hub.set_dir(tempfile.gettempdir()); ember.hub.get_dir() == tempfile.gettempdir()
    True
    >>> ember.hub._hub_dir = None   # back to the default
    """
    global _hub_dir
    _hub_dir = os.path.expanduser(os.fspath(d))


# ------------------------------------------------------------------------------------------------------ downloads

def _as_url(url):
    """Turn a plain local path into a ``file://`` URL; URLs with a scheme pass through unchanged."""
    url = os.fspath(url)
    if urlparse(url).scheme == "":
        return Path(os.path.abspath(os.path.expanduser(url))).as_uri()
    return url


def _open_url(url, user_agent=USER_AGENT, opener=None):
    """Open ``url`` (http, https, file or a local path) for reading; HTTP errors pass through as HTTPError."""
    request = Request(_as_url(url), headers={"User-Agent": user_agent})
    return (opener or urlopen)(request)


def _content_length(response):
    """The size the server announced, or None when it did not say."""
    length = response.headers.get("Content-Length")
    return int(length) if length and length.isdigit() else None


def _copy_response(response, stream, digests, bar):
    """Copy ``response`` into ``stream`` chunk by chunk, feeding each chunk to ``digests`` and the progress bar."""
    while True:
        chunk = response.read(READ_DATA_CHUNK)
        if not chunk:
            break
        stream.write(chunk)
        for digest in digests:
            digest.update(chunk)
        bar.update(len(chunk))


def _temporary_beside(dst):
    """Open a new temporary file in ``dst``'s directory, so the final rename stays on one file system."""
    for _ in range(tempfile.TMP_MAX):
        candidate = f"{dst}.{uuid.uuid4().hex}.partial"
        try:
            return open(candidate, "xb")
        except FileExistsError:
            continue
    raise FileExistsError(f"No usable temporary file name found beside {dst}")


def _download(url, dst, *, progress=True, check=None, user_agent=USER_AGENT, opener=None):
    """Download ``url`` to ``dst`` atomically; ``check(path)`` may raise to reject the finished temporary file."""
    dst = os.path.expanduser(os.fspath(dst))
    os.makedirs(os.path.dirname(os.path.abspath(dst)), exist_ok=True)
    partial = _temporary_beside(dst)
    try:
        with partial, _open_url(url, user_agent, opener) as response:
            stream = sys.stderr if progress else None
            with ProgressBar(_content_length(response), os.path.basename(dst), stream=stream, unit="B") as bar:
                _copy_response(response, partial, (), bar)
        if check is not None:
            check(partial.name)
        os.replace(partial.name, dst)
    finally:
        if os.path.exists(partial.name):
            os.remove(partial.name)


def _sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(READ_DATA_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def download_url_to_file(url, dst, hash_prefix=None, progress=True):
    """Download ``url`` to the path ``dst`` through a temporary file, optionally checking its SHA-256 prefix.

    A wrong hash raises RuntimeError and leaves nothing behind; a progress bar shows on a terminal.

    >>> import ember.hub, tempfile, os
    >>> folder = tempfile.mkdtemp(); source = os.path.join(folder, "a.bin")
    >>> _ = open(source, "wb").write(b"ember")
    >>> ember.hub.download_url_to_file("file://" + source, os.path.join(folder, "b.bin"), progress=False)
    >>> open(os.path.join(folder, "b.bin"), "rb").read()
    b'ember'
    """
    def check(path):
        if hash_prefix is None:
            return
        digest = _sha256_of(path)
        if digest[:len(hash_prefix)] != hash_prefix:
            raise RuntimeError(f'invalid hash value (expected "{hash_prefix}", got "{digest}")')

    _download(url, dst, progress=progress, check=check)


# --------------------------------------------------------------------------------------------------- checkpoints

def _is_legacy_zip_format(filename):
    """A zip holding exactly one file: a checkpoint someone zipped by hand (before torch.save wrote zips)."""
    if not zipfile.is_zipfile(filename):
        return False
    with zipfile.ZipFile(filename) as archive:
        members = archive.infolist()
    return len(members) == 1 and not members[0].is_dir()


def _safe_extract_zip(archive, target):
    """Extract ``archive`` into ``target``, refusing members whose paths would land outside it (zip slip)."""
    target = Path(target).resolve()
    for member in archive.infolist():
        destination = (target / member.filename).resolve()
        if os.path.isabs(member.filename) or not destination.is_relative_to(target):
            raise ValueError(f"Archive entry escapes target directory: {member.filename}")
        archive.extract(member, target)


def _legacy_zip_load(filename, model_dir, map_location, weights_only):
    """Unzip a hand-zipped checkpoint next to it and load the single file inside."""
    import ember

    warnings.warn("Falling back to the old format < 1.6. This support will be deprecated in favor of default zipfile "
                  "format introduced in 1.6. Please redo torch.save() to save it in the new zipfile format.",
                  FutureWarning, stacklevel=3)
    with zipfile.ZipFile(filename) as archive:
        _safe_extract_zip(archive, model_dir)
        extracted = os.path.join(model_dir, archive.infolist()[0].filename)
    return ember.load(extracted, map_location=map_location, weights_only=weights_only)


def load_state_dict_from_url(url, model_dir=None, map_location=None, progress=True, check_hash=False, file_name=None,
                             weights_only=False):
    """Load the checkpoint at ``url``, downloading it into ``<hub_dir>/checkpoints`` the first time only.

    With ``check_hash=True`` the file name must read ``name-<sha256 prefix>.ext`` and the download is verified.

    >>> import ember, ember.hub, tempfile, os
    >>> folder = tempfile.mkdtemp(); path = os.path.join(folder, "w.pth"); ember.save({"w": ember.ones(2)}, path)
    >>> ember.hub.load_state_dict_from_url("file://" + path, model_dir=folder, progress=False)
    {'w': tensor([1., 1.])}
    """
    import ember

    if os.getenv("TORCH_MODEL_ZOO"):
        warnings.warn("TORCH_MODEL_ZOO is deprecated, please use env TORCH_HOME instead", stacklevel=2)
    if model_dir is None:
        model_dir = os.path.join(get_dir(), "checkpoints")
    os.makedirs(model_dir, exist_ok=True)
    if file_name is not None:
        filename = file_name
    elif urlparse(os.fspath(url)).scheme == "":            # a plain local path
        filename = os.path.basename(os.fspath(url))
    else:
        filename = os.path.basename(urlparse(url).path)
    cached_file = os.path.join(model_dir, filename)
    if not os.path.exists(cached_file):
        sys.stdout.write(f'Downloading: "{url}" to {cached_file}\n')
        match = HASH_REGEX.search(filename) if check_hash else None
        download_url_to_file(url, cached_file, match.group(1) if match else None, progress=progress)
    if _is_legacy_zip_format(cached_file):
        return _legacy_zip_load(cached_file, model_dir, map_location, weights_only)
    return ember.load(cached_file, map_location=map_location, weights_only=weights_only)


# -------------------------------------------------------------------------------------------------- hubconf repos

@contextlib.contextmanager
def _add_to_sys_path(path):
    sys.path.insert(0, path)
    try:
        yield
    finally:
        sys.path.remove(path)


def _import_hubconf(repo_dir):
    """Import ``repo_dir/hubconf.py`` as a fresh module (its own imports resolve inside the repo)."""
    path = os.path.join(repo_dir, MODULE_HUBCONF)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"Cannot find {MODULE_HUBCONF} in {repo_dir}")
    spec = importlib.util.spec_from_file_location(MODULE_HUBCONF, path)
    module = importlib.util.module_from_spec(spec)
    with _add_to_sys_path(repo_dir):
        spec.loader.exec_module(module)
    return module


def _check_dependencies(module):
    """Raise RuntimeError naming the packages in the hubconf's ``dependencies`` list that are not installed."""
    missing = [name for name in getattr(module, VAR_DEPENDENCY, None) or []
               if importlib.util.find_spec(name) is None]
    if missing:
        raise RuntimeError(f"Missing dependencies: {', '.join(missing)}")


def _load_entry_from_hubconf(module, model):
    """The callable entry point ``model`` of a hubconf module, after its dependencies are checked."""
    if not isinstance(model, str):
        raise ValueError("Invalid input: model should be a string of function name")
    _check_dependencies(module)
    entry = getattr(module, model, None) if model in dir(module) else None
    if entry is None or not callable(entry):
        raise RuntimeError(f"Cannot find callable {model} in hubconf")
    return entry


def _parse_repo_info(github):
    """Split ``owner/name[:ref]``; without a ref, ``main`` if the repo has it, else ``master`` (as torch.hub)."""
    repo_info, _, ref = github.partition(":")
    if repo_info.count("/") != 1:
        raise ValueError(f"Invalid github repo {github!r}: expected the form 'repo_owner/repo_name[:ref]'")
    owner, name = repo_info.split("/")
    if ref:
        return owner, name, ref
    try:
        with urlopen(f"{GITHUB_ARCHIVE_BASE}/{owner}/{name}/tree/main/"):
            return owner, name, "main"
    except HTTPError as error:
        if error.code == 404:
            return owner, name, "master"
        raise
    except URLError as error:
        for ref in ("main", "master"):              # offline: fall back on a cached copy
            if os.path.exists(os.path.join(get_dir(), f"{owner}_{name}_{ref}")):
                return owner, name, ref
        raise RuntimeError("It looks like there is no internet connection and the repo could not be found in the "
                           f"cache ({get_dir()})") from error


def _check_repo_is_trusted(owner, name, owner_name_branch, trust_repo):
    """Ask before running code from a repo that is neither trusted before nor from a well-known owner."""
    hub_dir = get_dir()
    trusted_list = os.path.join(hub_dir, "trusted_list")
    Path(trusted_list).touch()
    with open(trusted_list) as stream:
        trusted = {line.strip() for line in stream}
    owner_name = f"{owner}_{name}"
    already_downloaded = owner_name_branch in next(os.walk(hub_dir))[1]
    is_trusted = owner_name in trusted or already_downloaded or owner in _TRUSTED_REPO_OWNERS
    if trust_repo is False or (trust_repo == "check" and not is_trusted):
        answer = input(f"The repository {owner_name} does not belong to the list of trusted repositories and as such "
                       "cannot be downloaded. Do you trust this repository and wish to add it to the trusted list of "
                       "repositories (y/N)?")
        if answer.lower() in ("n", "no", ""):
            raise Exception("Untrusted repository.")
        if answer.lower() not in ("y", "yes"):
            raise ValueError(f"Unrecognized response {answer}.")
    if not is_trusted:
        with open(trusted_list, "a") as stream:
            stream.write(owner_name + "\n")


def _remove_if_exists(path):
    if os.path.isfile(path):
        os.remove(path)
    elif os.path.isdir(path):
        shutil.rmtree(path)


def _get_cache_or_reload(github, force_reload, trust_repo, verbose=True, skip_validation=False):
    """Download and unpack the GitHub repo archive into the hub directory, or reuse the unpacked copy there.

    ``skip_validation`` is accepted for torch.hub's signature; ember does not query the GitHub API for forks.
    """
    hub_dir = get_dir()
    os.makedirs(hub_dir, exist_ok=True)
    owner, name, ref = _parse_repo_info(github)
    normalized_ref = ref.replace("/", "_")
    owner_name_branch = f"{owner}_{name}_{normalized_ref}"
    repo_dir = os.path.join(hub_dir, owner_name_branch)
    _check_repo_is_trusted(owner, name, owner_name_branch, trust_repo)
    if not force_reload and os.path.exists(repo_dir):
        if verbose:
            sys.stderr.write(f"Using cache found in {repo_dir}\n")
        return repo_dir
    cached_zip = os.path.join(hub_dir, normalized_ref + ".zip")
    _remove_if_exists(cached_zip)
    url = f"{GITHUB_ARCHIVE_BASE}/{owner}/{name}/zipball/{ref}"
    sys.stdout.write(f'Downloading: "{url}" to {cached_zip}\n')
    download_url_to_file(url, cached_zip, progress=False)
    with zipfile.ZipFile(cached_zip) as archive:
        top_folder = archive.infolist()[0].filename.split("/")[0]
        extracted = os.path.join(hub_dir, top_folder)
        _remove_if_exists(extracted)
        _safe_extract_zip(archive, hub_dir)
    _remove_if_exists(cached_zip)
    _remove_if_exists(repo_dir)
    shutil.move(extracted, repo_dir)
    return repo_dir


def _repo_dir(repo_or_dir, source, force_reload, trust_repo, verbose, skip_validation):
    """The local directory holding hubconf.py: ``repo_or_dir`` itself (local) or the cached GitHub download."""
    source = source.lower()
    if source not in ("github", "local"):
        raise ValueError(f'Unknown source: "{source}". Allowed values: "github" | "local".')
    if source == "local":
        return os.path.expanduser(os.fspath(repo_or_dir))
    return _get_cache_or_reload(repo_or_dir, force_reload, trust_repo, verbose, skip_validation)


def list(github, force_reload=False, skip_validation=False, trust_repo="check", verbose=True, *, source="github"):
    """Names of the public callables a repo's hubconf.py offers (``source='local'`` for a directory).

    >>> import ember.hub, tempfile, os
    >>> repo = tempfile.mkdtemp()
    >>> _ = open(os.path.join(repo, "hubconf.py"), "w").write("def tiny():\\n    return 1\\n")
    >>> ember.hub.list(repo, source="local")
    ['tiny']
    """
    module = _import_hubconf(_repo_dir(github, source, force_reload, trust_repo, verbose, skip_validation))
    return [name for name in dir(module) if callable(getattr(module, name)) and not name.startswith("_")]


def help(github, model, force_reload=False, skip_validation=False, trust_repo="check", *, source="github"):
    """The docstring of the entry point ``model`` in a repo's hubconf.py.

    >>> import ember.hub, tempfile, os
    >>> repo = tempfile.mkdtemp()
    >>> _ = open(os.path.join(repo, "hubconf.py"), "w").write("def tiny():\\n    'A tiny model.'\\n    return 1\\n")
    >>> ember.hub.help(repo, "tiny", source="local")
    'A tiny model.'
    """
    module = _import_hubconf(_repo_dir(github, source, force_reload, trust_repo, True, skip_validation))
    return _load_entry_from_hubconf(module, model).__doc__


def load(repo_or_dir, model, *args, source="github", trust_repo="check", force_reload=False, verbose=True,
         skip_validation=False, **kwargs):
    """Call the entry point ``model`` of a repo's hubconf.py with ``*args, **kwargs`` and return what it builds.

    >>> import ember.hub, tempfile, os
    >>> repo = tempfile.mkdtemp()
    >>> _ = open(os.path.join(repo, "hubconf.py"), "w").write("def tiny(n=1):\\n    return [0] * n\\n")
    >>> ember.hub.load(repo, "tiny", 3, source="local")
    [0, 0, 0]
    """
    repo_dir = _repo_dir(repo_or_dir, source, force_reload, trust_repo, verbose, skip_validation)
    return _load_local(repo_dir, model, *args, **kwargs)


def _load_local(hubconf_dir, model, *args, **kwargs):
    """Build ``model`` from the hubconf.py in ``hubconf_dir``, with the directory importable while it runs."""
    module = _import_hubconf(hubconf_dir)
    with _add_to_sys_path(hubconf_dir):
        return _load_entry_from_hubconf(module, model)(*args, **kwargs)


class tqdm:  # noqa: N801  (torch.hub.tqdm's name; torchvision imports it from torch.utils.model_zoo)
    """A minimal tqdm stand-in for byte counts (``update(n)``, ``close()``, context manager), drawn by ProgressBar."""

    def __init__(self, total=None, disable=False, unit=None, *args, **kwargs):
        self.total, self.disable, self.n = total, disable, 0
        stream = None if disable else sys.stderr
        self._bar = ProgressBar(total, kwargs.get("desc") or "", stream=stream, unit="B" if unit == "B" else None)

    def update(self, n):
        self.n += n
        self._bar.update(n)

    def set_description(self, *args, **kwargs):
        pass

    def write(self, s):
        sys.stderr.write(f"{s}\n")

    def close(self):
        self._bar.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
