"""ember/_blas.py: which OpenBLAS kernels ``import ember`` asks for, and when it leaves the choice alone."""

import os
import subprocess
import sys

import pytest

from ember import _blas

ZEN5 = """processor\t: 0
vendor_id\t: AuthenticAMD
cpu family\t: 26
flags\t\t: fpu sse sse2 avx avx2 fma avx512f avx512dq avx512cd avx512bw avx512vl avx512_bf16
"""
ZEN3 = ZEN5.replace(" avx512f avx512dq avx512cd avx512bw avx512vl avx512_bf16", "")
ICELAKE = ZEN5.replace("AuthenticAMD", "GenuineIntel")


@pytest.fixture
def cpuinfo(tmp_path):
    def write(text):
        path = tmp_path / "cpuinfo"
        path.write_text(text)
        return str(path)
    return write


def test_cpu_description_reads_vendor_and_flags(cpuinfo):
    vendor, flags = _blas.cpu_description(cpuinfo(ZEN5))
    assert vendor == "AuthenticAMD"
    assert {"avx2", "avx512f", "avx512vl"} <= flags and "avx512_vnni" not in flags


def test_cpu_description_without_the_file_is_empty(tmp_path):
    assert _blas.cpu_description(str(tmp_path / "missing")) == ("", set())


@pytest.mark.parametrize("text, expected", [(ZEN5, "SkylakeX"), (ZEN3, None), (ICELAKE, None)])
def test_only_amd_processors_with_avx512_get_skylakex(cpuinfo, text, expected):
    environ = {}
    assert _blas.choose_kernels(environ, modules={}, path=cpuinfo(text)) == expected
    assert environ.get("OPENBLAS_CORETYPE") == expected


def test_a_users_choice_is_kept(cpuinfo):
    environ = {"OPENBLAS_CORETYPE": "Haswell"}
    assert _blas.choose_kernels(environ, modules={}, path=cpuinfo(ZEN5)) is None
    assert environ == {"OPENBLAS_CORETYPE": "Haswell"}


def test_nothing_changes_once_numpy_is_loaded(cpuinfo):
    environ = {}
    assert _blas.choose_kernels(environ, modules={"numpy": object()}, path=cpuinfo(ZEN5)) is None
    assert environ == {}


def test_import_ember_sets_the_variable_before_numpy_loads():
    """In a fresh interpreter, ember's choice is in the environment OpenBLAS reads (or nothing, off AMD AVX-512)."""
    code = "import os, ember; print(os.environ.get('OPENBLAS_CORETYPE'))"
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    printed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env,
                             cwd=root).stdout.strip()
    expected = _blas.preferred_coretype(*_blas.cpu_description())
    assert printed == str(expected)
