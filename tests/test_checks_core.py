"""The exercise-check machinery (lossopt/checks/_core.py), on toy exercises.

A right answer prints one ✔ line; a wrong one raises CheckFailed (an AssertionError) with a
short message naming the input, the expected and returned values and a hint; in a real
Jupyter kernel that message is all the learner sees, and the cell still counts as an error.
"""
from __future__ import annotations

import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from lossopt.build import run_notebook
from lossopt.checks import CheckFailed, Exercise
from lossopt.checks._core import NOT_IMPLEMENTED, fmt

MISTAKES = {
    "forgot to square": lambda x: float(np.sum(x)),
    "took the mean instead of the sum": lambda x: float(np.mean(x ** 2)),
}


def check_sum_of_squares(answer):
    """Toy exercise: the sum of the squares of a 1-D array (a number)."""
    ex = Exercise("sum_of_squares", answer)
    rng = np.random.default_rng(0)
    cases = [("x = [1.0, 2.0, 3.0]", np.array([1.0, 2.0, 3.0])), ("x = [0.0]", np.array([0.0]))]
    cases += [(f"random x of shape ({n},)", rng.normal(size=n)) for n in (1, 4, 50)]
    for case, x in cases:
        got = ex.call(case, x)
        ex.compare(case, got, float(np.sum(x ** 2)),
                   mistakes={description: wrong(x) for description, wrong in MISTAKES.items()})
    ex.passed()


def check_double(answer):
    """Toy exercise: 2 * x, elementwise (an array of the same shape)."""
    ex = Exercise("double", answer)
    for case, x in [("x = [1.0, -2.0, 0.5]", np.array([1.0, -2.0, 0.5])),
                    ("x of shape (3, 2)", np.arange(6.0).reshape(3, 2))]:
        ex.compare(case, ex.call(case, x), 2 * x)
    ex.passed()


def right(x):
    return float(np.sum(x * x))


def failure(check, answer) -> str:
    with pytest.raises(CheckFailed) as info:
        check(answer)
    message = str(info.value)
    assert len(message.splitlines()) < 10, f"message too long:\n{message}"
    assert "Traceback" not in message
    return message


def test_right_answer_prints_one_success_line(capsys):
    check_sum_of_squares(right)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith("✔ sum_of_squares: correct on all 5 checks")


def test_right_answer_for_arrays(capsys):
    check_double(lambda x: x + x)
    assert capsys.readouterr().out.startswith("✔ double: correct on all 2 checks")


def test_wrong_value_says_input_expected_got_and_hint():
    message = failure(check_sum_of_squares, lambda x: float(np.sum(x ** 2)) + 0.5)
    lines = message.splitlines()
    assert lines[0] == "sum_of_squares: the result is wrong."
    assert lines[1] == "  input:    x = [1.0, 2.0, 3.0]"
    assert lines[2] == "  expected: 14"
    assert lines[3] == "  got:      14.5"
    assert len(lines) == 4          # no hint unless the check has one


def test_wrong_array_says_where():
    message = failure(check_double, lambda x: x * np.array([2.0, 2.0, 3.0]))
    assert "first difference at index 2: expected 1, got 1.5" in message
    assert "expected: [ 2., -4.,  1.]" in message


@pytest.mark.parametrize("description", MISTAKES)
def test_classic_mistake_is_named_in_the_hint(description):
    message = failure(check_sum_of_squares, MISTAKES[description])
    assert message.splitlines()[-1] == f"  hint:     this looks like a classic mistake: {description}"


def test_not_implemented_says_so_and_nothing_else():
    def stub(x):
        # YOUR CODE HERE
        raise NotImplementedError()
    message = failure(check_sum_of_squares, stub)
    assert message == f"sum_of_squares: {NOT_IMPLEMENTED}"
    assert "not implemented yet" in message


@pytest.mark.parametrize("answer, expected_words", [
    (lambda x: None, ["is None", "return"]),
    (lambda x: float("nan"), ["contains NaN", "log(0)"]),
    (lambda x: float("inf"), ["contains inf"]),
    (lambda x: "14.0", ["is a string"]),
    (lambda x: {"value": 14.0}, ["is a dict, expected a number"]),
    (lambda x: x ** 2, ["has shape (3,), expected shape ()", "one number"]),
    (lambda x: x[5], ["your function raised IndexError", "input:    x = [1.0, 2.0, 3.0]"]),
    (lambda x: undefined_name, ["raised NameError", "did you run the cells above"]),  # noqa: F821
])
def test_bad_answers_fail_cleanly(answer, expected_words):
    message = failure(check_sum_of_squares, answer)
    for words in expected_words:
        assert words in message, message


def test_wrong_shape_same_size():
    message = failure(check_double, lambda x: (2 * x).reshape(-1, 1))
    assert "has shape (3, 1), expected shape (3,)" in message and "(N, 1) and (N,)" in message


def test_changing_the_input_in_place_fails():
    def in_place(x):
        x **= 2
        return float(np.sum(x))
    message = failure(check_sum_of_squares, in_place)
    assert "changed one of its inputs in place" in message and "copy" in message


@pytest.mark.parametrize("answer", [None, 14.0, "sum_of_squares"])
def test_passing_something_else_than_a_function(answer):
    message = failure(check_sum_of_squares, answer)
    assert "expected your function itself" in message


def test_check_failed_is_an_assertion_error():
    assert issubclass(CheckFailed, AssertionError)
    with pytest.raises(AssertionError):
        check_sum_of_squares(lambda x: 0.0)


def test_fmt_keeps_values_short():
    assert fmt(np.arange(100.0)).startswith("array of shape (100,), first values")
    assert len(fmt("x" * 500)) <= 120
    assert fmt(0.1 + 0.2) == "0.3"
    assert fmt({"m": np.array([1.0])}) == "{'m': [1.]}"


# ----------------------------------------------------------------------------------------------
# In a real kernel
# ----------------------------------------------------------------------------------------------

SETUP = '''
import numpy as np
from lossopt.checks import Exercise

def check_sum_of_squares(answer):
    ex = Exercise("sum_of_squares", answer)
    x = np.array([1.0, 2.0, 3.0])
    ex.compare("x = [1.0, 2.0, 3.0]", ex.call("x = [1.0, 2.0, 3.0]", x), 14.0,
               mistakes={"forgot to square": 6.0})
    ex.passed()
'''


def _error(cell):
    errors = [o for o in cell.outputs if o.output_type == "error"]
    assert len(errors) == 1, cell.outputs
    return errors[0]


def test_in_jupyter_a_failing_check_is_a_short_error(tmp_path):
    from nbclient.exceptions import CellExecutionError

    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        new_code_cell(SETUP),
        new_code_cell("check_sum_of_squares(lambda x: float(np.sum(x)))"),       # a classic mistake
        new_code_cell("def stub(x):\n    raise NotImplementedError()\ncheck_sum_of_squares(stub)"),
        new_code_cell("stub(1)"),                                              # the stub itself
        new_code_cell("check_sum_of_squares(lambda x: float(np.sum(x * x)))"),  # right
        new_code_cell("check_sum_of_squares(lambda x: 0.0)\nprint('not reached')"),
    ]
    for cell in nb.cells[1:4]:
        cell.metadata["tags"] = ["raises-exception"]
    with pytest.raises(CellExecutionError):      # the last cell is an error: Run All stops there
        run_notebook(nb, tmp_path, timeout=60)

    mistake = _error(nb.cells[1])
    assert mistake.ename == "CheckFailed"
    assert mistake.traceback == [f"CheckFailed: {mistake.evalue}"], "one short message, no traceback"
    assert len(mistake.traceback[0].splitlines()) < 10
    assert "classic mistake: forgot to square" in mistake.evalue and "expected: 14" in mistake.evalue

    stub = _error(nb.cells[2])
    assert stub.ename == "CheckFailed" and stub.traceback == [f"CheckFailed: sum_of_squares: {NOT_IMPLEMENTED}"]
    direct = _error(nb.cells[3])
    assert direct.ename == "NotImplementedError" and direct.traceback == [f"NotImplementedError: {NOT_IMPLEMENTED}"]

    assert nb.cells[4].outputs[0].text.startswith("✔ sum_of_squares: correct on all 1 checks")
    last = _error(nb.cells[5])
    assert last.ename == "CheckFailed" and len(last.traceback) == 1
    assert not any(o.get("text", "") == "not reached\n" for o in nb.cells[5].outputs)
