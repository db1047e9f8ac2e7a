"""Section 1: machine learning is about learning functions.

Each system of the lesson is a function: something goes in, something comes out. The
learner writes a function header for two of them and :func:`check_header` reads it with
Python's ``ast`` (the code is parsed, never executed) and says what it found.
"""

from __future__ import annotations

import ast
from dataclasses import asdict, dataclass, field

from neuralab.params import validate

# Words that suggest a type names an image, a text, or a yes/no answer.
IMAGE_WORDS = ("ndarray", "array", "image", "img", "tensor", "pixel", "picture", "frame", "list")
TEXT_WORDS = ("str", "text", "string")
YES_NO_WORDS = ("bool",)


@dataclass(frozen=True)
class System:
    """One machine-learning system of the lesson, seen as a function."""

    key: str
    title: str
    story: str
    takes: str
    gives: str
    solution: str
    worked: bool = False  # True for the example the lesson works through itself

    def to_dict(self) -> dict:
        return asdict(self)


SYSTEMS: dict[str, System] = {
    "sentiment": System(
        key="sentiment",
        title="Is this movie comment happy or unhappy?",
        story="A cinema reads what people post about its films and wants to know, for each "
              "comment, whether it is positive or negative.",
        takes="the text of one comment",
        gives="a score from -1 (very negative) to 1 (very positive)",
        solution='def sentiment(comment: str) -> float:\n'
                 '    """comment: e.g. "Loved it!"\n'
                 '    Returns -1 (very negative)\n'
                 '    to 1 (very positive)."""\n',
        worked=True,
    ),
    "pedestrian": System(
        key="pedestrian",
        title="Is there a pedestrian in this picture?",
        story="A self-driving car takes pictures of the road ahead. For each picture it "
              "must decide whether a person on foot is in it.",
        takes="an image: an array of numbers of shape (height, width, 3)",
        gives="yes or no: True when the picture shows a pedestrian",
        solution='import numpy as np\n\n\n'
                 'def has_pedestrian(photo: np.ndarray) -> bool:\n'
                 '    """photo: shape (height, width, 3),\n'
                 '    the red, green and blue of each\n'
                 '    pixel from 0 to 1. Returns True\n'
                 '    when a pedestrian is in it."""\n',
    ),
    "chatbot": System(
        key="chatbot",
        title="A chatbot that only reads and writes text",
        story="A company builds a chatbot for its website. To keep costs down it accepts no "
              "pictures or voice: a text question goes in, a text answer comes out.",
        takes="the user's message, as text",
        gives="the chatbot's reply, as text",
        solution='def reply(message: str) -> str:\n'
                 '    """message: what the user typed. Returns the answer to show them."""\n',
    ),
}
EXERCISES = ("pedestrian", "chatbot")


@dataclass(frozen=True)
class Note:
    """One line of feedback: ``level`` is "ok", "hint" or "problem"."""

    level: str
    text: str


@dataclass(frozen=True)
class HeaderFeedback:
    """What the parser found in the learner's code, and what we make of it."""

    exercise: str
    valid_python: bool
    is_function: bool = False
    name: str | None = None
    params: list[dict] = field(default_factory=list)  # {"name", "annotation"}
    returns: str | None = None
    params_typed: bool = False
    return_typed: bool = False
    has_docstring: bool = False
    error_line: int | None = None
    notes: list[Note] = field(default_factory=list)

    @property
    def matches(self) -> bool:
        """True when the header names its types and they fit the exercise."""
        return (self.is_function and self.params_typed and self.return_typed
                and not any(n.level == "problem" for n in self.notes))

    def to_dict(self) -> dict:
        out = asdict(self)
        out["matches"] = self.matches
        return out


def _parse(code: str) -> ast.Module:
    """Parse ``code``; a header with no body yet (ending in ``:``) is accepted as is."""
    try:
        return ast.parse(code)
    except SyntaxError as first:
        if code.rstrip().endswith(":"):
            try:
                return ast.parse(code.rstrip() + "\n    ...\n")
            except SyntaxError:
                pass
        raise first


def _friendly(err: SyntaxError) -> str:
    msg = err.msg or "invalid syntax"
    line = f"Line {err.lineno}: " if err.lineno else ""
    hints = {
        "expected ':'": "a function header ends with a colon, like def f(x: int) -> int:",
        "invalid syntax": "Python could not read this line; check the brackets, commas "
                          "and the colon at the end of the header.",
        "unexpected indent": "this line starts with spaces where none are expected.",
        "was never closed": "a bracket is opened but never closed.",
        "unterminated string literal": "a quote is opened but never closed.",
        "unterminated triple-quoted string literal": 'a """ docstring is never closed.',
        "expected an indented block": "the line after the header needs to be indented "
                                      "(start it with four spaces).",
        "null bytes": "the text holds a null character, which Python cannot read.",
    }
    for key, hint in hints.items():
        if key in msg:
            return f"{line}{hint}"
    return f"{line}{msg}."


def _source(code: str, node: ast.expr | None, limit: int = 80) -> str | None:
    """The learner's own text of a type (not ``ast.unparse``, which recurses)."""
    if node is None:
        return None
    text = " ".join((ast.get_source_segment(code, node) or "?").split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _matches(annotation: str | None, words: tuple[str, ...]) -> bool:
    return annotation is not None and any(w in annotation.lower() for w in words)


def check_header(code: str, exercise: str = "pedestrian") -> HeaderFeedback:
    """Read a function header with ``ast`` (never run it) and give feedback for ``exercise``.

    Says whether the code is valid Python and a function, its name, what it takes and
    returns, whether those types are written down, and whether they fit the exercise.
    """
    v = validate("functions", {"code": code, "exercise": exercise})
    code, exercise = v["code"], v["exercise"]
    if not code.strip():
        return HeaderFeedback(exercise, valid_python=False, notes=[Note(
            "hint", "Write a function header, for example: def name(thing: type) -> type:")])
    try:
        tree = _parse(code)
    except SyntaxError as err:
        return HeaderFeedback(exercise, valid_python=False, error_line=err.lineno,
                              notes=[Note("problem", _friendly(err))])
    except (ValueError, RecursionError, MemoryError):  # e.g. a null byte, absurd nesting
        return HeaderFeedback(exercise, valid_python=False,
                              notes=[Note("problem", "This is not Python that can be read.")])
    funcs = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    if not funcs:
        return HeaderFeedback(exercise, valid_python=True, notes=[Note(
            "problem", "This is valid Python but not a function: start with def, a name, "
                       "the inputs in brackets, then a colon.")])
    fn = funcs[0]
    args = [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs]
    if fn.args.vararg:
        args.append(fn.args.vararg)
    if fn.args.kwarg:
        args.append(fn.args.kwarg)
    params = [{"name": a.arg, "annotation": _source(code, a.annotation)}
              for a in args if a.arg not in ("self", "cls")]
    returns = _source(code, fn.returns)
    feedback = HeaderFeedback(
        exercise, valid_python=True, is_function=True, name=fn.name, params=params,
        returns=returns, params_typed=bool(params) and all(p["annotation"] for p in params),
        return_typed=returns is not None, has_docstring=ast.get_docstring(fn) is not None,
    )
    feedback.notes.extend(_notes(feedback, len(funcs)))
    return feedback


def _notes(fb: HeaderFeedback, n_funcs: int) -> list[Note]:
    notes: list[Note] = []
    shown = ", ".join(f"{p['name']}: {p['annotation']}" if p["annotation"] else p["name"]
                      for p in fb.params)
    notes.append(Note("ok", f"A function named {fb.name} that takes ({shown})"
                            f"{' and returns ' + fb.returns if fb.returns else ''}."))
    if n_funcs > 1:
        notes.append(Note("hint", f"There are {n_funcs} functions; only the first is checked."))
    if not fb.params:
        notes.append(Note("problem", "It takes no input. What does the system look at?"))
    elif not fb.params_typed:
        untyped = [p["name"] for p in fb.params if not p["annotation"]]
        notes.append(Note("hint", f"Say what type {', '.join(untyped)} is, e.g. "
                                  f"{untyped[0]}: str."))
    if not fb.return_typed:
        notes.append(Note("hint", "Say what it gives back with -> and a type before the colon."))
    want_in, want_out = {
        "pedestrian": ((IMAGE_WORDS, "an image (for example np.ndarray)"),
                       (YES_NO_WORDS, "a yes/no answer (bool)")),
        "chatbot": ((TEXT_WORDS, "text (str)"), (TEXT_WORDS, "text (str)")),
    }[fb.exercise]
    typed_inputs = [p["annotation"] for p in fb.params if p["annotation"]]
    if typed_inputs:
        if any(_matches(a, want_in[0]) for a in typed_inputs):
            notes.append(Note("ok", f"It takes {want_in[1]}: right."))
        else:
            notes.append(Note("problem", f"The system receives {want_in[1]}, "
                                         f"not {', '.join(typed_inputs)}."))
    if fb.returns:
        if _matches(fb.returns, want_out[0]):
            notes.append(Note("ok", f"It gives back {want_out[1]}: right."))
        else:
            notes.append(Note("problem", f"The system gives back {want_out[1]}, "
                                         f"not {fb.returns}."))
    if fb.exercise == "chatbot" and len(fb.params) == 1 and typed_inputs and \
            _matches(typed_inputs[0], IMAGE_WORDS):
        notes.append(Note("problem", "This chatbot accepts text only, no pictures."))
    if not fb.has_docstring:
        notes.append(Note("hint", 'Optional: a docstring ("""...""") under the header can say '
                                  "what goes in and what comes out."))
    return notes


def systems() -> list[dict]:
    """The lesson's three systems, the worked example first."""
    return [s.to_dict() for s in SYSTEMS.values()]
