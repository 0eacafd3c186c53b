"""ember.hub against a local HTTP server on 127.0.0.1: cache directory rules, atomic hash-checked downloads,
checkpoint loading and caching (ember.save and torch.save files), file:// URLs, and hubconf.py repos."""

import hashlib
import io
import os
import urllib.error
import zipfile

import numpy as np
import pytest
from local_server import LocalServer

import ember
import ember.hub as hub
from ember.utils import model_zoo


@pytest.fixture
def server(tmp_path_factory):
    served = LocalServer(tmp_path_factory.mktemp("served"))
    yield served
    served.close()


@pytest.fixture(autouse=True)
def _isolated_hub(tmp_path, monkeypatch):
    """Each test gets its own hub directory and no cache-related environment variables."""
    for variable in ("EMBER_HOME", "TORCH_HOME", "XDG_CACHE_HOME", "TORCH_HUB", "TORCH_MODEL_ZOO"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setattr(hub, "_hub_dir", None)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def write(path, data):
    with open(path, "wb") as stream:
        stream.write(data)
    return path


def leftovers(folder):
    return [name for name in os.listdir(folder) if name.endswith(".partial")]


# --------------------------------------------------------------------------------------------------- get_dir rules

def test_get_dir_default_is_under_xdg_cache(tmp_path, monkeypatch):
    assert hub.get_dir() == os.path.join(str(tmp_path / "home"), ".cache", "ember", "hub")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert hub.get_dir() == os.path.join(str(tmp_path / "xdg"), "ember", "hub")


def test_get_dir_environment_precedence(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    assert hub.get_dir() == os.path.join(str(tmp_path / "torch"), "hub")
    monkeypatch.setenv("EMBER_HOME", "~/ember_home")
    assert hub.get_dir() == os.path.join(str(tmp_path / "home"), "ember_home", "hub")
    hub.set_dir(tmp_path / "chosen")
    assert hub.get_dir() == str(tmp_path / "chosen")
    hub.set_dir("~/x")
    assert hub.get_dir() == os.path.join(str(tmp_path / "home"), "x")


def test_deprecated_torch_hub_variable_warns(monkeypatch):
    monkeypatch.setenv("TORCH_HUB", "/somewhere")
    with pytest.warns(UserWarning, match="TORCH_HUB is deprecated"):
        hub.get_dir()


# ----------------------------------------------------------------------------------------- download_url_to_file

def test_download_without_and_with_hash_prefix(server, tmp_path):
    payload = os.urandom(300_000)                 # several read chunks
    write(server.path_for("blob.bin"), payload)
    digest = hashlib.sha256(payload).hexdigest()
    for index, prefix in enumerate((None, digest[:8], digest)):
        dst = tmp_path / "out" / f"blob{index}.bin"
        hub.download_url_to_file(server.url_for("blob.bin"), str(dst), hash_prefix=prefix, progress=False)
        assert dst.read_bytes() == payload
    assert server.count("blob.bin") == 3
    assert leftovers(tmp_path / "out") == []


def test_wrong_hash_raises_and_keeps_nothing(server, tmp_path):
    write(server.path_for("blob.bin"), b"ember weights")
    dst = tmp_path / "blob.bin"
    with pytest.raises(RuntimeError, match='invalid hash value \\(expected "deadbeef"'):
        hub.download_url_to_file(server.url_for("blob.bin"), str(dst), hash_prefix="deadbeef", progress=False)
    assert not dst.exists()
    assert leftovers(tmp_path) == []


def test_failed_download_keeps_existing_file(server, tmp_path):
    dst = write(tmp_path / "kept.bin", b"old, working copy")
    with pytest.raises(urllib.error.HTTPError) as error:
        hub.download_url_to_file(server.url_for("missing.bin"), str(dst), progress=False)
    assert error.value.code == 404
    assert dst.read_bytes() == b"old, working copy"
    assert leftovers(tmp_path) == []


def test_progress_bar_on_a_terminal_only(server, tmp_path, monkeypatch):
    write(server.path_for("blob.bin"), b"x" * 5000)
    terminal = FakeTerminal()
    monkeypatch.setattr("sys.stderr", terminal)
    hub.download_url_to_file(server.url_for("blob.bin"), str(tmp_path / "a.bin"), progress=True)
    drawn = terminal.getvalue()
    assert "a.bin" in drawn and "4.9 KiB/4.9 KiB" in drawn and "#" * 30 in drawn
    quiet = FakeTerminal()
    monkeypatch.setattr("sys.stderr", quiet)
    hub.download_url_to_file(server.url_for("blob.bin"), str(tmp_path / "b.bin"), progress=False)
    assert quiet.getvalue() == ""


def test_file_urls_and_plain_paths(tmp_path):
    source = write(tmp_path / "source dir.bin", b"local bytes")
    hub.download_url_to_file(source.as_uri(), str(tmp_path / "a.bin"), progress=False)
    hub.download_url_to_file(str(source), str(tmp_path / "b.bin"), progress=False)
    assert (tmp_path / "a.bin").read_bytes() == (tmp_path / "b.bin").read_bytes() == b"local bytes"


# ----------------------------------------------------------------------------------- load_state_dict_from_url

def state_dict():
    return {"weight": ember.arange(6, dtype=ember.float32).reshape(2, 3), "bias": ember.tensor([1, -2])}


def check_state(loaded):
    assert sorted(loaded) == ["bias", "weight"]
    np.testing.assert_array_equal(loaded["weight"].numpy(), np.arange(6, dtype=np.float32).reshape(2, 3))
    assert loaded["bias"].dtype == ember.int64 and loaded["bias"].tolist() == [1, -2]


def test_checkpoint_from_ember_save_is_cached(server, tmp_path):
    ember.save(state_dict(), server.path_for("net.pth"))
    model_dir = tmp_path / "models"
    for _ in range(2):
        check_state(hub.load_state_dict_from_url(server.url_for("net.pth"), model_dir=str(model_dir), progress=False))
    assert server.count("net.pth") == 1                    # the second call reads the cached file
    assert os.listdir(model_dir) == ["net.pth"]


def test_checkpoint_from_torch_save_in_default_cache(server, tmp_path):
    torch = pytest.importorskip("torch")
    torch.save({"weight": torch.arange(6, dtype=torch.float32).reshape(2, 3), "bias": torch.tensor([1, -2])},
               server.path_for("torch_net.pth"))
    hub.set_dir(tmp_path / "hub")
    check_state(hub.load_state_dict_from_url(server.url_for("torch_net.pth"), progress=False, weights_only=True))
    assert (tmp_path / "hub" / "checkpoints" / "torch_net.pth").is_file()
    legacy = server.path_for("legacy_net.pth")
    torch.save({"weight": torch.arange(6, dtype=torch.float32).reshape(2, 3), "bias": torch.tensor([1, -2])},
               legacy, _use_new_zipfile_serialization=False)
    check_state(hub.load_state_dict_from_url(server.url_for("legacy_net.pth"), progress=False))


def test_check_hash_uses_the_file_name(server, tmp_path):
    ember.save(state_dict(), server.path_for("source.pth"))
    digest = hashlib.sha256(open(server.path_for("source.pth"), "rb").read()).hexdigest()
    os.rename(server.path_for("source.pth"), server.path_for(f"net-{digest[:8]}.pth"))
    url = server.url_for(f"net-{digest[:8]}.pth")
    check_state(hub.load_state_dict_from_url(url, model_dir=str(tmp_path / "a"), check_hash=True, progress=False))
    os.rename(server.path_for(f"net-{digest[:8]}.pth"), server.path_for("net-0badf00d.pth"))
    with pytest.raises(RuntimeError, match="invalid hash value"):
        hub.load_state_dict_from_url(server.url_for("net-0badf00d.pth"), model_dir=str(tmp_path / "b"),
                                     check_hash=True, progress=False)
    assert os.listdir(tmp_path / "b") == []
    # Without check_hash the name's "hash" is not checked.
    check_state(hub.load_state_dict_from_url(server.url_for("net-0badf00d.pth"), model_dir=str(tmp_path / "c"),
                                             progress=False))


def test_file_name_and_file_url(tmp_path):
    source = tmp_path / "weights.pth"
    ember.save(state_dict(), str(source))
    loaded = hub.load_state_dict_from_url(source.as_uri(), model_dir=str(tmp_path / "m"), file_name="renamed.pth",
                                          progress=False, map_location="cpu")
    check_state(loaded)
    assert os.listdir(tmp_path / "m") == ["renamed.pth"]
    check_state(model_zoo.load_url(str(source), model_dir=str(tmp_path / "n"), progress=False))
    assert os.listdir(tmp_path / "n") == ["weights.pth"]


def test_hand_zipped_legacy_checkpoint(server, tmp_path):
    buffer = io.BytesIO()
    ember.save(state_dict(), buffer, _use_new_zipfile_serialization=False)
    with zipfile.ZipFile(server.path_for("zipped.zip"), "w") as archive:
        archive.writestr("inner.pth", buffer.getvalue())
    with pytest.warns(FutureWarning, match="old format"):
        check_state(hub.load_state_dict_from_url(server.url_for("zipped.zip"), model_dir=str(tmp_path), progress=False))
    assert sorted(os.listdir(tmp_path)) == ["inner.pth", "zipped.zip"]


def test_weights_only_refuses_arbitrary_objects(server, tmp_path):
    ember.save({"model": {"layers": [1, 2]}, "fn": os.getcwd}, server.path_for("unsafe.pth"))
    with pytest.raises(Exception, match="getcwd|Unsupported|weights_only"):
        hub.load_state_dict_from_url(server.url_for("unsafe.pth"), model_dir=str(tmp_path), progress=False,
                                     weights_only=True)
    loaded = hub.load_state_dict_from_url(server.url_for("unsafe.pth"), model_dir=str(tmp_path), progress=False)
    assert loaded["fn"] is os.getcwd


# ------------------------------------------------------------------------------------------------ hubconf repos

HUBCONF = '''
"""A tiny hub repo."""
import helper_module

dependencies = ["numpy"]


def tiny(width=2, *, fill=0.0):
    """Builds a tiny list model."""
    return helper_module.make(width, fill)


def _private():
    return None

not_callable = 3
'''


def make_repo(folder, dependencies='["numpy"]'):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "hubconf.py"), "w") as stream:
        stream.write(HUBCONF.replace('["numpy"]', dependencies))
    with open(os.path.join(folder, "helper_module.py"), "w") as stream:
        stream.write("def make(width, fill):\n    return [fill] * width\n")
    return folder


def test_local_hubconf_list_help_load(tmp_path):
    repo = make_repo(str(tmp_path / "repo"))
    assert hub.list(repo, source="local") == ["tiny"]
    assert hub.help(repo, "tiny", source="local") == "Builds a tiny list model."
    assert hub.load(repo, "tiny", 3, source="local", fill=1.5) == [1.5, 1.5, 1.5]
    assert hub.load(repo, "tiny", source="LOCAL") == [0.0, 0.0]
    assert repo not in __import__("sys").path


def test_local_hubconf_errors(tmp_path):
    repo = make_repo(str(tmp_path / "repo"))
    with pytest.raises(RuntimeError, match="Cannot find callable missing in hubconf"):
        hub.load(repo, "missing", source="local")
    with pytest.raises(RuntimeError, match="Cannot find callable not_callable"):
        hub.load(repo, "not_callable", source="local")
    with pytest.raises(ValueError, match="model should be a string"):
        hub.load(repo, 3, source="local")
    with pytest.raises(ValueError, match='Unknown source: "svn"'):
        hub.load(repo, "tiny", source="svn")
    other = make_repo(str(tmp_path / "other"), dependencies='["numpy", "no_such_package_xyz"]')
    with pytest.raises(RuntimeError, match="Missing dependencies: no_such_package_xyz"):
        hub.load(other, "tiny", source="local")
    with pytest.raises(FileNotFoundError, match="hubconf.py"):
        hub.load(str(tmp_path), "tiny", source="local")


def serve_repo_archive(server, owner, name, ref, tmp_path):
    """Put GitHub's zipball for owner/name at ref on the server: one top folder holding the repo's files."""
    repo = make_repo(str(tmp_path / "src"))
    target = server.path_for(f"{owner}/{name}/zipball/{ref}")
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr(f"{owner}-{name}-0123abc/", "")
        for file_name in ("hubconf.py", "helper_module.py"):
            archive.write(os.path.join(repo, file_name), f"{owner}-{name}-0123abc/{file_name}")


def test_github_source_downloads_archive_once(server, tmp_path, monkeypatch):
    monkeypatch.setattr(hub, "GITHUB_ARCHIVE_BASE", server.url.rstrip("/"))
    hub.set_dir(tmp_path / "hub")
    serve_repo_archive(server, "someone", "models", "v1", tmp_path)
    assert hub.load("someone/models:v1", "tiny", 1, trust_repo=True, verbose=False) == [0.0]
    assert (tmp_path / "hub" / "someone_models_v1" / "hubconf.py").is_file()
    assert "someone_models" in (tmp_path / "hub" / "trusted_list").read_text().split()
    assert hub.list("someone/models:v1") == ["tiny"]             # trusted now, and cached
    assert hub.help("someone/models:v1", "tiny") == "Builds a tiny list model."
    assert server.count("zipball/v1") == 1
    hub.load("someone/models:v1", "tiny", force_reload=True, trust_repo=True)
    assert server.count("zipball/v1") == 2
    assert [name for name in os.listdir(tmp_path / "hub") if name.endswith(".zip")] == []


def test_github_default_branch_and_trust_prompt(server, tmp_path, monkeypatch):
    monkeypatch.setattr(hub, "GITHUB_ARCHIVE_BASE", server.url.rstrip("/"))
    hub.set_dir(tmp_path / "hub")
    serve_repo_archive(server, "a", "b", "master", tmp_path)       # no tree/main/ page: the default is master
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(Exception, match="Untrusted repository"):
        hub.load("a/b", "tiny")
    assert server.count("zipball/master") == 0
    monkeypatch.setattr("builtins.input", lambda prompt: "y")
    assert hub.load("a/b", "tiny") == [0.0, 0.0]
    os.makedirs(server.path_for("a/b/tree/main"))                  # now a main branch exists
    serve_repo_archive(server, "a", "b", "main", tmp_path)
    assert hub.load("a/b", "tiny", 4) == [0.0] * 4
    assert server.count("zipball/main") == 1
    with pytest.raises(ValueError, match="repo_owner/repo_name"):
        hub.load("just-a-name", "tiny")


def test_byte_progress_bar_and_tqdm_shim(monkeypatch):
    from ember.utils.progress import ProgressBar

    terminal = FakeTerminal()
    with ProgressBar(None, "unknown.bin", stream=terminal, unit="B") as bar:
        bar.update(3 * 1024 * 1024)
    assert "unknown.bin [" + "?" * 30 + "] 3.0 MiB " in terminal.getvalue() and bar.done == 3 * 1024 * 1024
    assert terminal.getvalue().endswith("\r")                  # closed: the line is cleared
    with pytest.raises(ValueError, match="unit must be None"):
        ProgressBar(3, "x", unit="items")
    shim = FakeTerminal()
    monkeypatch.setattr("sys.stderr", shim)
    with model_zoo.tqdm(total=2048, unit="B", desc="shim") as counter:
        counter.update(1024)
    assert counter.n == 1024 and "shim [" + "#" * 15 in shim.getvalue()
    with model_zoo.tqdm(total=10, disable=True) as silent:
        silent.update(5)
    assert shim.getvalue().count("shim") == 1
