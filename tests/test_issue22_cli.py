"""The command line's sharp edges from issue 22: an expression starting with "-", the
exit-status table, the exponent cap, duplicate --at names, error columns and hints, a bad
renderer name. Values come from Python's own arithmetic on the same numbers."""

import subprocess
import sys

import pytest

from autograd.cli import EXIT_INPUT, EXIT_OK, EXIT_UNVERIFIED, EXIT_USAGE, EXIT_WRONG, main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


NEG = ["value = -6.0", "d/dx = -3.0", "d/dy = -2.0"]  # -x*y at (2, 3)


@pytest.mark.parametrize(
    "argv",
    [
        ["eval", "-x*y", "--at", "x=2", "y=3"],
        ["eval", "--", "-x*y", "--at", "x=2", "y=3"],
        ["eval", "--at", "x=2", "y=3", "--", "-x*y"],
        ["eval", "--at", "x=2", "y=3", "-x*y"],
    ],
)
def test_an_expression_starting_with_minus(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert (code, out.splitlines(), err) == (0, NEG, "")


def test_minus_expression_with_options_that_take_values(capsys, tmp_path):
    path = tmp_path / "g.dot"
    code, out, _ = run(capsys, "graph", "-o", str(path), "-x", "--at", "x=2")
    assert code == 0 and path.exists() and "-x" not in path.name
    code, out, _ = run(capsys, "check", "--eps", "1e-4", "-x**3", "--at", "x=-1")
    assert code == 0 and "passed" in out


def test_minus_expression_through_the_installed_entry_point():
    proc = subprocess.run(
        [sys.executable, "-m", "autograd", "eval", "-x*y", "--at", "x=2", "y=3"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (proc.returncode, proc.stdout.splitlines()) == (0, NEG)


def test_two_expressions_are_refused(capsys):
    with pytest.raises(SystemExit) as info:
        main(["eval", "-x", "y", "--at", "x=1", "y=1"])
    assert info.value.code == EXIT_USAGE and "two expressions" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, status, words",
    [
        (["eval", "log(0)"], EXIT_INPUT, ["log()", "0.0"]),
        (["eval", "1/x", "--at", "x=0"], EXIT_INPUT, ["division"]),
        (["check", "log(x)", "--at", "x=0"], EXIT_INPUT, ["log()"]),
        (["check", "x*x", "--at", "x=1e300"], EXIT_INPUT, []),
        (["graph", "x", "--at", "x=1", "-o", "g.pdf"], EXIT_INPUT, [".pdf", "suffix"]),
        (["check", "sqrt(x) + sqrt(-x)", "--at", "x=0"], EXIT_UNVERIFIED, []),
        (["eval", "x^2", "--at", "x=1"], EXIT_USAGE, []),
        (["eval", "x", "--at", "x=2", "x=3"], EXIT_USAGE, ["x twice"]),
        (["eval", "x*y", "--at", "x=2", "y=3", "x=2"], EXIT_USAGE, ["x twice", "'x=2'"]),
        # 1e400 is inf only by overflow, refused as 1e400 in the expression is (rev22)
        (["eval", "x", "--at", "x=1e400"], EXIT_USAGE, ["x", "'1e400'", "largest float"]),
        (["eval", "x", "--at", "x=-2e308"], EXIT_USAGE, ["'-2e308'"]),
    ],
)
def test_exit_statuses(capsys, tmp_path, monkeypatch, argv, status, words):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, *argv)
    assert code == status and all(w in err for w in words)
    assert not (tmp_path / "g.pdf").exists()


@pytest.mark.parametrize("number", ["inf", "-inf", "+Infinity", "nan"])
def test_inf_and_nan_spelled_out_are_inputs(capsys, number):
    code, out, _ = run(capsys, "eval", "x + 1", "--at", f"x={number}")
    assert code == EXIT_OK and str(float(number) + 1) in out


def test_the_statuses_are_distinct():
    assert len({EXIT_OK, EXIT_WRONG, EXIT_USAGE, EXIT_INPUT, EXIT_UNVERIFIED}) == 5


@pytest.mark.parametrize(
    "expr, refused",
    [
        ("2**2000", "an exponent beyond +-1024"),
        ("x**2000", "an exponent beyond +-1024"),
        ("x**(9**9)", "an exponent beyond +-1024"),
        ("x**-(2000)", "an exponent beyond +-1024"),
        ("x**(1000 + 1000)", "an exponent beyond +-1024"),
        ("10**400", "a number too large"),
        ("1e400", "a number too large"),
        ("e**800 * x", "a number too large"),
        ("2.0**1024", "a number too large"),
    ],
)
def test_the_exponent_cap_is_one_rule(capsys, expr, refused):
    code, _, err = run(capsys, "eval", expr, "--at", "x=1.0000001")
    assert code == EXIT_USAGE and refused in err


@pytest.mark.parametrize(
    "expr, value",
    [("2**1000", 2.0**1000), ("x**1024", 1.0000001**1024), ("x**-1024", 1.0000001**-1024)],
)
def test_exponents_within_the_cap_are_answered(capsys, expr, value):
    code, out, _ = run(capsys, "eval", expr, "--at", "x=1.0000001")
    assert code == 0 and out.splitlines()[0] == f"value = {value!r}"


@pytest.mark.parametrize(
    "expr, where", [("x*y +", "at the end (column 6)"), ("x*y + ", "at the end (column 6)")]
)
def test_a_syntax_error_at_the_end_names_the_column(capsys, expr, where):
    code, _, err = run(capsys, "eval", expr, "--at", "x=1", "y=1")
    assert code == EXIT_USAGE and where in err and "column 0" not in err


def test_a_caret_hints_at_the_power_operator(capsys):
    code, _, err = run(capsys, "eval", "x^2", "--at", "x=3")
    assert code == EXIT_USAGE and "for a power write **" in err and "column 1" in err


def test_a_bad_renderer_name_is_named(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("VALUEGRAD_RENDERER", "bogus")
    code, _, err = run(capsys, "graph", "x", "--at", "x=1", "-o", str(tmp_path / "g.svg"))
    assert code == EXIT_INPUT and "'bogus'" in err and "VALUEGRAD_RENDERER" in err
    assert not (tmp_path / "g.svg").exists()
