"""``import ember`` loads NumPy and the standard library only."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, sys
before = set(sys.modules)
import ember
loaded = {name.split('.')[0] for name in set(sys.modules) - before}
print(json.dumps(sorted(loaded)))
"""


def test_import_loads_only_numpy_and_the_standard_library():
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True)
    loaded = set(json.loads(out.stdout))
    # cython_runtime is loaded by numpy.random (Cython extension modules), not by ember itself.
    allowed = set(sys.stdlib_module_names) | {"numpy", "ember", "cython_runtime"}
    foreign = sorted(name for name in loaded if name not in allowed and not name.startswith("_"))
    assert foreign == [], f"import ember also imported {foreign}"
    assert "numpy" in loaded or "numpy" in sys.modules


def test_main_demo_runs():
    out = subprocess.run([sys.executable, "-m", "ember"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "d loss / d w = tensor([-0.7988, -1.2961])" in out.stdout
