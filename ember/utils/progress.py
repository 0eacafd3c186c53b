"""A one-line progress bar for training loops, downloads and examples, redrawn in place on a terminal."""

import sys
import time


class ProgressBar:
    """Shows ``label [#####.....] done/total  extra`` on ``stream``, redrawn in place while work goes on.

    On a stream that is not a terminal (a log file, CI) nothing is drawn, so logs hold only the
    per-epoch summary lines the caller prints.

    >>> bar = ProgressBar(3, "epoch 1", stream=None)
    >>> for _ in range(3):
    ...     bar.advance(loss=0.5)
    >>> bar.close()
    """

    WIDTH = 30

    def __init__(self, total, label, stream=sys.stderr):
        self.total, self.label, self.stream = total, label, stream
        self.done = 0
        self.started = time.perf_counter()
        self.live = stream is not None and hasattr(stream, "isatty") and stream.isatty()

    def advance(self, **figures):
        """Count one more unit of work and redraw with the given figures (e.g. ``loss=0.31``)."""
        self.done += 1
        if self.live:
            filled = self.WIDTH * self.done // max(self.total, 1)
            bar = "#" * filled + "." * (self.WIDTH - filled)
            shown = "  ".join(f"{name} {value:.4f}" for name, value in figures.items())
            elapsed = time.perf_counter() - self.started
            self.stream.write(f"\r{self.label} [{bar}] {self.done}/{self.total}  {shown}  {elapsed:.1f}s")
            self.stream.flush()

    def close(self):
        """Clear the bar's line so the caller's summary replaces it."""
        if self.live:
            self.stream.write("\r" + " " * (len(self.label) + self.WIDTH + 60) + "\r")
            self.stream.flush()
