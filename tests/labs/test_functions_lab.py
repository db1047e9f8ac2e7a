"""Reading a learner's function header with ast (never running it)."""

import pytest

from neuralab.labs.functions import EXERCISES, SYSTEMS, check_header, systems
from neuralab.params import ParamError


def test_systems_worked_example_first():
    out = systems()
    assert [s["key"] for s in out] == ["sentiment", "pedestrian", "chatbot"]
    assert out[0]["worked"] and not out[1]["worked"]


@pytest.mark.parametrize("key", EXERCISES)
def test_possible_solutions_pass_their_own_check(key):
    fb = check_header(SYSTEMS[key].solution, key)
    assert fb.matches, fb.notes


def test_header_without_body_is_accepted():
    fb = check_header("def is_pedestrian(image: np.ndarray) -> bool:", "pedestrian")
    assert fb.valid_python and fb.is_function and fb.matches
    assert fb.name == "is_pedestrian"
    assert fb.params == [{"name": "image", "annotation": "np.ndarray"}]
    assert fb.returns == "bool"


def test_untyped_header_gets_hints_not_a_pass():
    fb = check_header("def chat(message):", "chatbot")
    assert fb.is_function and not fb.params_typed and not fb.return_typed
    assert not fb.matches
    assert any("type" in n.text for n in fb.notes if n.level == "hint")


def test_wrong_types_are_problems():
    fb = check_header("def chat(picture: np.ndarray) -> bool:", "chatbot")
    problems = [n.text for n in fb.notes if n.level == "problem"]
    assert any("text (str)" in p for p in problems)
    assert not fb.matches


def test_syntax_error_names_the_line():
    fb = check_header('"""A docstring."""\ndef chat(message: str) -> str\n    pass', "chatbot")
    assert not fb.valid_python and fb.error_line == 2
    assert fb.notes[0].text.startswith("Line 2:")
    assert "colon" in fb.notes[0].text


def test_not_a_function():
    fb = check_header("answer = 42", "chatbot")
    assert fb.valid_python and not fb.is_function and not fb.matches


def test_code_is_never_executed(tmp_path):
    marker = tmp_path / "ran"
    code = f"open({str(marker)!r}, 'w').write('x')\ndef f(x: str) -> str:\n    pass\n"
    fb = check_header(code, "chatbot")
    assert fb.matches and not marker.exists()


def test_types_are_shown_as_written():
    fb = check_header("def f(photo: np.ndarray[\n    float]) -> bool:", "pedestrian")
    assert fb.params[0]["annotation"] == "np.ndarray[ float]"


def test_async_and_varargs():
    fb = check_header("async def reply(*messages: str, **options: str) -> str: ...", "chatbot")
    assert fb.is_function and [p["name"] for p in fb.params] == ["messages", "options"]


@pytest.mark.parametrize("code", ["", "   \n", "\x00", "(" * 500, "def f(:", "-" * 3999 + "1",
                                  "def f(x: " + "a." * 1900 + "b) -> str:"])
def test_odd_input_never_raises(code):
    fb = check_header(code, "pedestrian")
    assert not fb.matches


def test_oversized_and_unknown_exercise_rejected():
    with pytest.raises(ParamError):
        check_header("x" * 4001, "chatbot")
    with pytest.raises(ParamError):
        check_header("def f(x: str) -> str:", "sentiment")


def test_to_dict_is_json_ready():
    import json

    d = check_header("def f(x: str) -> str:", "chatbot").to_dict()
    assert json.loads(json.dumps(d))["matches"] is True


@pytest.mark.parametrize("comment", ["  # True if a person", "# yes/no", "\n    # body later"])
def test_comment_after_the_header_is_fine(comment):
    fb = check_header(f"def has_pedestrian(photo: np.ndarray) -> bool:{comment}", "pedestrian")
    assert fb.valid_python and fb.matches, fb.notes


def test_error_line_is_never_past_the_last_line():
    for code in ["def f(x: str) -> str", "def f(x: str,\n", "def f(\n  x: str"]:
        fb = check_header(code, "chatbot")
        assert not fb.valid_python
        assert 1 <= fb.error_line <= len(code.splitlines())


def test_chatbot_refuses_an_extra_picture():
    fb = check_header("def reply(message: str, photo: np.ndarray) -> str:", "chatbot")
    problems = [n.text for n in fb.notes if n.level == "problem"]
    assert not fb.matches
    assert any("no pictures" in p for p in problems)
    assert any("photo: np.ndarray" in p for p in problems)


def test_pedestrian_refuses_an_extra_input():
    fb = check_header("def f(photo: np.ndarray, speed: float) -> bool:", "pedestrian")
    assert not fb.matches
    assert any("speed: float" in n.text for n in fb.notes if n.level == "problem")


@pytest.mark.parametrize(("code", "exercise", "hint"), [
    ("def reply(message: strng) -> str:", "chatbot", "did you mean str?"),
    ("def reply(message: str) -> string:", "chatbot", "did you mean str?"),
    ("def f(photo: np.ndarray) -> boolean:", "pedestrian", "did you mean bool?"),
    ("def f(photo: Picture) -> bool:", "pedestrian", "not Picture"),
    ("def f(photo: np.ndarray) -> Bool:", "pedestrian", "did you mean bool?"),
    ("def f(photo: np.ndarray) -> bools:", "pedestrian", "did you mean bool?"),
])
def test_type_names_must_match_exactly(code, exercise, hint):
    fb = check_header(code, exercise)
    assert not fb.matches
    assert any(hint in n.text for n in fb.notes if n.level == "problem"), fb.notes


@pytest.mark.parametrize(("code", "exercise"), [
    ("def f(photo: npt.NDArray[np.float64]) -> bool:", "pedestrian"),
    ("def f(photo: numpy.ndarray) -> bool:", "pedestrian"),
    ("def f(photo: torch.Tensor) -> bool:", "pedestrian"),
    ("def f(photo: list[list[list[float]]]) -> bool:", "pedestrian"),
    ("def f(photo: 'np.ndarray') -> bool:", "pedestrian"),
    ("def reply(message: str) -> str | None:", "chatbot"),
    ("def reply(message: Optional[str]) -> str:", "chatbot"),
])
def test_real_type_spellings_pass(code, exercise):
    assert check_header(code, exercise).matches


@pytest.mark.parametrize(("exercise", "example"), [("pedestrian", "photo: np.ndarray"),
                                                   ("chatbot", "photo: str")])
def test_missing_type_hint_fits_the_exercise(exercise, example):
    fb = check_header("def f(photo) -> bool:", exercise)
    hints = [n.text for n in fb.notes if n.level == "hint"]
    assert any(f"e.g. {example}." in h for h in hints), hints


@pytest.mark.parametrize(("code", "says"), [
    ("def reply(message: str) → str:", "->"),
    ("def reply(message: str) -> str:\n    return “hi”", 'straight quote "'),
    ("def reply(message=‘hi’) -> str:", "straight quote '"),
    ("def reply(message: str) –> str:", "minus sign"),
])
def test_typographic_characters_get_a_clear_message(code, says):
    fb = check_header(code, "chatbot")
    assert not fb.valid_python and fb.error_line is not None
    text = fb.notes[0].text
    assert says in text and "U+" not in text and "invalid character" not in text
    assert text.startswith(f"Line {fb.error_line}:")
