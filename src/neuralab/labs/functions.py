"""Section 1: machine learning is about learning functions.

Each system of the lesson is a function: something goes in, something comes out. The
learner writes a function header for two of them and :func:`check_header` reads it with
Python's ``ast`` (the code is parsed, never executed) and says what it found.
"""

from __future__ import annotations

import ast
import difflib
import re
from dataclasses import asdict, dataclass, field

from neuralab.params import validate

# The type names (the last part of a dotted name, before any [...]) that stand for an image,
# a text or a yes/no answer. A name must match exactly: `strng` or `Picture` is no type.
IMAGE_TYPES = ("ndarray", "NDArray", "ArrayLike", "Tensor", "Image", "list", "tuple", "array")
TEXT_TYPES = ("str",)
YES_NO_TYPES = ("bool",)
KNOWN_TYPES = (*IMAGE_TYPES, *TEXT_TYPES, *YES_NO_TYPES, "int", "float", "dict", "bytes",
               "None", "Any", "object", "complex", "set")
# For each exercise: the input's types and words, the output's, and a typed example input.
WANTED = {
    "pedestrian": ((IMAGE_TYPES, "an image (for example np.ndarray)"),
                   (YES_NO_TYPES, "a yes/no answer (bool)"), "np.ndarray"),
    "chatbot": ((TEXT_TYPES, "text (str)"), (TEXT_TYPES, "text (str)"), "str"),
}
# Characters a word processor puts in place of Python's, and what to type instead.
LOOKALIKES = {
    "\u2192": ("an arrow →", "-> (a minus and a greater-than sign)"),
    "\u201c": ("a curly quote “", 'a straight quote " or \''),
    "\u201d": ("a curly quote ”", 'a straight quote " or \''),
    "\u2018": ("a curly quote ‘", 'a straight quote \' or "'),
    "\u2019": ("a curly quote ’", 'a straight quote \' or "'),
    "\u2013": ("a dash –", "- (a minus sign)"),
    "\u2014": ("a dash —", "- (a minus sign)"),
    "\u00a0": ("a non-breaking space", "a plain space"),
}


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
    """Parse ``code``; a header with no body yet (``:`` then nothing, or only a comment) is
    accepted as is."""
    try:
        return ast.parse(code)
    except SyntaxError as first:
        try:
            return ast.parse(code.rstrip() + "\n    ...\n")
        except SyntaxError:
            pass
        raise first


def _invalid_character(err: SyntaxError) -> str | None:
    """A clear note for a character Python cannot read (``→``, curly quotes...), or None."""
    found = re.search(r"\(U\+([0-9A-F]{4,6})\)", err.msg or "")
    if "invalid character" not in (err.msg or "") or not found:
        return None
    ch = chr(int(found.group(1), 16))
    line = f"Line {err.lineno}: " if err.lineno else ""
    if ch in LOOKALIKES:
        what, instead = LOOKALIKES[ch]
        return (f"{line}{what} is not Python: type {instead} instead (text copied from a "
                "word processor or a chat often has these).")
    return f"{line}Python cannot read the character {ch} (U+{found.group(1)}); retype it."


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


def _type_names(annotation: str | None) -> list[str]:
    """The type names an annotation says, e.g. ``np.ndarray[float]`` -> ``["ndarray"]``,
    ``str | None`` -> ``["str"]``; a quoted annotation is read inside its quotes."""
    if annotation is None:
        return []
    try:
        node = ast.parse(annotation.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    names: list[str] = []

    def walk(n: ast.expr) -> None:
        if isinstance(n, ast.Constant) and isinstance(n.value, str):
            names.extend(_type_names(n.value))
        elif isinstance(n, ast.BinOp) and isinstance(n.op, ast.BitOr):
            walk(n.left)
            walk(n.right)
        elif isinstance(n, ast.Subscript):
            head = n.value.attr if isinstance(n.value, ast.Attribute) else \
                getattr(n.value, "id", None)
            if head in ("Optional", "Union"):
                parts = n.slice.elts if isinstance(n.slice, ast.Tuple) else [n.slice]
                for part in parts:
                    walk(part)
            else:
                walk(n.value)
        elif isinstance(n, ast.Attribute):
            names.append(n.attr)
        elif isinstance(n, ast.Name):
            names.append(n.id)

    walk(node)
    return [n for n in names if n != "None"]


def _matches(annotation: str | None, types: tuple[str, ...]) -> bool:
    """True when the annotation names one of ``types`` exactly (``strng`` is not ``str``)."""
    names = _type_names(annotation)
    return bool(names) and all(n in types for n in names)


def _misspelt(annotation: str | None) -> list[str]:
    """Hints for type names that look like a known type but are not one (``strng``)."""
    hints = []
    for name in _type_names(annotation):
        if name in KNOWN_TYPES:
            continue
        close = difflib.get_close_matches(name, KNOWN_TYPES, n=1, cutoff=0.6) or \
            [t for t in KNOWN_TYPES if name.lower() in (t.lower(), t.lower() + "ean")]
        if close:
            hints.append(f"{name} is not a Python type; did you mean {close[0]}?")
    return hints


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
        if err.lineno:  # never a line after the last (Python may point past the end)
            err.lineno = min(err.lineno, max(1, len(code.splitlines())))
        text = _invalid_character(err) or _friendly(err)
        return HeaderFeedback(exercise, valid_python=False, error_line=err.lineno,
                              notes=[Note("problem", text)])
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
        example = WANTED[fb.exercise][2]
        notes.append(Note("hint", f"Say what type {', '.join(untyped)} is, e.g. "
                                  f"{untyped[0]}: {example}."))
    if not fb.return_typed:
        notes.append(Note("hint", "Say what it gives back with -> and a type before the colon."))
    want_in, want_out, _ = WANTED[fb.exercise]
    typed = [p for p in fb.params if p["annotation"]]
    for text in [h for p in typed for h in _misspelt(p["annotation"])] + _misspelt(fb.returns):
        notes.append(Note("problem", text))
    fitting = [p for p in typed if _matches(p["annotation"], want_in[0])]
    others = [f"{p['name']}: {p['annotation']}" for p in typed if p not in fitting]
    if fitting:
        notes.append(Note("ok", f"It takes {want_in[1]}: right."))
    if others and not fitting:
        notes.append(Note("problem", f"The system receives {want_in[1]}, "
                                     f"not {', '.join(p['annotation'] for p in typed)}."))
    elif others:
        notes.append(Note("problem", f"The system receives only {want_in[1]}: leave out "
                                     f"{', '.join(others)}."))
    if fb.returns:
        if _matches(fb.returns, want_out[0]):
            notes.append(Note("ok", f"It gives back {want_out[1]}: right."))
        else:
            notes.append(Note("problem", f"The system gives back {want_out[1]}, "
                                         f"not {fb.returns}."))
    if fb.exercise == "chatbot" and any(_matches(p["annotation"], IMAGE_TYPES) for p in typed):
        notes.append(Note("problem", "This chatbot accepts text only, no pictures."))
    if not fb.has_docstring:
        notes.append(Note("hint", 'Optional: a docstring ("""...""") under the header can say '
                                  "what goes in and what comes out."))
    return notes


def systems() -> list[dict]:
    """The lesson's three systems, the worked example first."""
    return [s.to_dict() for s in SYSTEMS.values()]
