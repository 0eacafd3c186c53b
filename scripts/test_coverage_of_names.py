"""Which public ember functions and Tensor methods no test mentions by name.

A cheap guard for "every public function is covered": it reads the test files as text
and reports each ``ember.<name>`` function and Tensor method that no test file contains
as a word. It cannot prove a name is tested well, only find the ones never named.

    python scripts/test_coverage_of_names.py
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    import ember
    text = "\n".join(p.read_text() for p in (ROOT / "tests").rglob("*.py"))
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
    functions = {n for n in dir(ember) if not n.startswith("_") and callable(getattr(ember, n))
                 and not isinstance(getattr(ember, n), type)}
    methods = {n for n in dir(ember.Tensor) if not n.startswith("_")}
    # Parametrised tests reach in-place forms as getattr(t, name + "_"): count those when
    # the base name is named and some test builds names that way.
    builds_inplace = '+ "_"' in text or "_inplace" in text

    def named(n):
        return n in words or (builds_inplace and n.endswith("_") and n[:-1] in words)

    for label, names in (("functions", functions), ("Tensor methods", methods)):
        missing = sorted(n for n in names if not named(n))
        print(f"{label}: {len(names) - len(missing)} of {len(names)} named in tests")
        if missing:
            print("  never named:", " ".join(missing))


if __name__ == "__main__":
    main()
