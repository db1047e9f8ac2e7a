"""Section 5: a single ReLU neuron with two inputs, tuned by hand to compute AND or OR."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from neuralab.params import validate

TARGETS = {
    "AND": lambda a, b: a and b,
    "OR": lambda a, b: a or b,
}
PAIRS = ((False, False), (False, True), (True, False), (True, True))


def relu(z: float) -> float:
    """max(0, z)."""
    return z if z > 0.0 else 0.0


@dataclass(frozen=True)
class Row:
    """The neuron on one input pair."""

    x1: bool
    x2: bool
    weighted_sum: float
    activation: float
    expected: bool
    actual: bool

    @property
    def correct(self) -> bool:
        return self.expected == self.actual


@dataclass(frozen=True)
class NeuronResult:
    """The neuron on the selected inputs, and on every input pair."""

    target: str
    w1: float
    w2: float
    bias: float
    current: Row
    table: tuple[Row, ...]

    @property
    def solved(self) -> bool:
        """True when the neuron computes the target on all four input pairs."""
        return all(row.correct for row in self.table)

    def to_dict(self) -> dict:
        def row(r: Row) -> dict:
            return {**asdict(r), "correct": r.correct}

        return {
            "target": self.target, "w1": self.w1, "w2": self.w2, "bias": self.bias,
            "current": row(self.current), "table": [row(r) for r in self.table],
            "correct_count": sum(r.correct for r in self.table), "solved": self.solved,
        }


def _row(target: str, w1: float, w2: float, bias: float, x1: bool, x2: bool) -> Row:
    z = w1 * float(x1) + w2 * float(x2) + bias
    z = round(z, 10)  # 0.1 + 0.2 - 0.3 is 5.6e-17, which would light a neuron meant to stay off
    a = relu(z)
    return Row(x1=x1, x2=x2, weighted_sum=z, activation=a,
               expected=bool(TARGETS[target](x1, x2)), actual=a > 0.0)


def evaluate(
    target: str = "AND", w1: float = 0.0, w2: float = 0.0, bias: float = 0.0,
    x1: bool = False, x2: bool = False,
) -> NeuronResult:
    """Run the neuron ``relu(w1*x1 + w2*x2 + bias)``; it is ON when its output is above 0.

    Values are checked against the parameter table (``neuron`` group, API scope).
    """
    v = validate("neuron", {"target": target, "w1": w1, "w2": w2, "bias": bias,
                            "x1": x1, "x2": x2})
    args = (v["target"], v["w1"], v["w2"], v["bias"])
    table = tuple(_row(*args, a, b) for a, b in PAIRS)
    return NeuronResult(*args, current=_row(*args, v["x1"], v["x2"]), table=table)
