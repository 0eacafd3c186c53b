"""``python -m ember`` runs the ``ember`` command (see ember/cli)."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
