"""What ``Network.fit`` returns: the learning curves of a run."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class History:
    """Per-epoch record of a training run.

    Attributes
    ----------
    loss : mean training loss of each epoch, measured on each step's forward pass
        (before that step's update), as the book's training loop sees it.
    accuracy : share of training samples classified correctly in each epoch
        (argmax of outputs vs targets; one output: which side of 0.5), or None
        when the targets are not class targets.
    val_loss, val_accuracy : the same on ``validation_data`` after each epoch
        (empty when no validation data was given).
    epoch_seconds : wall-clock time of each epoch's training pass.
    samples : number of samples trained in each epoch.
    stopped : True when a callback or Ctrl-C ended training early.
    curve_position, curve_samples, curve_loss, curve_accuracy : the learning
        curve inside the epochs (``fit(..., log_every=N)``): at each point, the
        epochs elapsed (0.5 = half way through the first), the samples trained
        since the start of the run, and the mean loss (and share classified
        correctly, or None) of the samples trained since the previous point.
    log_every : samples between two of those points (0: none recorded).
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float | None] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float | None] = field(default_factory=list)
    epoch_seconds: list[float] = field(default_factory=list)
    samples: list[int] = field(default_factory=list)
    stopped: bool = False
    curve_position: list[float] = field(default_factory=list)
    curve_samples: list[int] = field(default_factory=list)
    curve_loss: list[float] = field(default_factory=list)
    curve_accuracy: list[float | None] = field(default_factory=list)
    log_every: int = 0

    @property
    def epochs(self) -> int:
        """Number of epochs recorded."""
        return len(self.loss)

    @property
    def seconds(self) -> float:
        """Total training time in seconds."""
        return float(sum(self.epoch_seconds))

    def __repr__(self) -> str:
        if not self.loss:
            return "History(epochs=0)"
        parts = [f"epochs={self.epochs}", f"loss={self.loss[-1]:.6g}"]
        if self.accuracy and self.accuracy[-1] is not None:
            parts.append(f"accuracy={self.accuracy[-1]:.4f}")
        if self.val_accuracy and self.val_accuracy[-1] is not None:
            parts.append(f"val_accuracy={self.val_accuracy[-1]:.4f}")
        parts.append(f"seconds={self.seconds:.3f}")
        return f"History({', '.join(parts)})"

    def _repr_html_(self) -> str:
        """Jupyter's view: a table of the epochs and, with matplotlib, the learning curves."""
        from ._html import history_html

        return history_html(self)
