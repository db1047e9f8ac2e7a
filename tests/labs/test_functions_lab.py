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
