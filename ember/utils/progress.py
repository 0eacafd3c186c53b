"""A one-line progress bar for training loops, downloads and examples, redrawn in place on a terminal."""

import sys
import time


def _human_bytes(count):
    """Format a byte count with binary units (``1.5 MiB``) so download bars stay short."""
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"


class ProgressBar:
    """Shows ``label [#####.....] done/total  extra`` on ``stream``, redrawn in place while work goes on.

    On a stream that is not a terminal (a log file, CI) nothing is drawn, so logs hold only the
    per-epoch summary lines the caller prints. With ``unit="B"`` the bar counts bytes (downloads): call
    ``update(nbytes)`` for each chunk; ``total`` may then be ``None`` when the size is unknown.

    >>> bar = ProgressBar(3, "epoch 1", stream=None)
    >>> for _ in range(3):
    ...     bar.advance(loss=0.5)
    >>> bar.close()
    >>> with ProgressBar(2048, "weights.pth", stream=None, unit="B") as download:
    ...     download.update(1024); download.update(1024)
    >>> download.done
    2048
    """

    WIDTH = 30

    def __init__(self, total, label, stream=sys.stderr, unit=None):
        if unit not in (None, "B"):
            raise ValueError(f"ProgressBar: unit must be None (work items) or 'B' (bytes), got {unit!r}")
        self.total, self.label, self.stream, self.unit = total, label, stream, unit
        self.done = 0
        self.started = time.perf_counter()
        self.live = stream is not None and hasattr(stream, "isatty") and stream.isatty()

    def advance(self, **figures):
        """Count one more unit of work and redraw with the given figures (e.g. ``loss=0.31``)."""
        self.done += 1
        if self.live:
            shown = "  ".join(f"{name} {value:.4f}" for name, value in figures.items())
            self._draw(f"{self.done}/{self.total}  {shown}")

    def update(self, count):
        """Count ``count`` more units (bytes in ``unit="B"`` mode) and redraw with the amount and the rate."""
        self.done += count
        if self.live:
            elapsed = max(time.perf_counter() - self.started, 1e-9)
            if self.unit == "B":
                size = _human_bytes(self.done) + ("" if self.total is None else f"/{_human_bytes(self.total)}")
                self._draw(f"{size}  {_human_bytes(self.done / elapsed)}/s")
            else:
                self._draw(f"{self.done}/{self.total}")

    def _bar(self):
        """The ``#####.....`` part; a known total fills it in proportion, an unknown one leaves it empty."""
        if self.total is None:
            return "?" * self.WIDTH
        filled = min(self.WIDTH, self.WIDTH * self.done // max(self.total, 1))
        return "#" * filled + "." * (self.WIDTH - filled)

    def _draw(self, figures):
        elapsed = time.perf_counter() - self.started
        self.stream.write(f"\r{self.label} [{self._bar()}] {figures}  {elapsed:.1f}s")
        self.stream.flush()

    def close(self):
        """Clear the bar's line so the caller's summary replaces it."""
        if self.live:
            self.stream.write("\r" + " " * (len(self.label) + self.WIDTH + 60) + "\r")
            self.stream.flush()
            self.live = False

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
