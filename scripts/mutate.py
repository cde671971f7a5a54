"""Mutation testing of valuegrad's core: does the test suite notice a small wrong change?

    python scripts/mutate.py                        # the core files, every mutant
    python scripts/mutate.py --files autograd/domain.py --out report.txt
    python scripts/mutate.py --list                 # only print the mutants
    python scripts/mutate.py --extra                # also gradcheck.py and nn/losses.py
    python scripts/mutate.py --limit 20 --jobs 1
    python scripts/mutate.py --files autograd/engine.py --lines 210-230
    python scripts/mutate.py --skip-targeted        # without tests/test_mutants_*.py
    python scripts/mutate.py --compile --sample 60 --seed 1  # compile, codegen, op table
    python scripts/mutate.py --compile --rerun report.txt   # only the survivors of a report

In autograd/opspec.py the formula strings (each op's forward and gradient
expressions) are mutated too, with the same operator and constant changes inside
the string.

Each mutant is one small edit of one file, made with the `ast` module: an
arithmetic operator flipped (+ -, * /), a constant changed (0 -> 1, 1.0 -> 2.0,
True -> False), a comparison loosened or flipped (< <=, == !=, is / is not), `and`
and `or` swapped, a condition negated, `+=` turned into `=` or `-=`, a unary minus
or `not` dropped, the first two arguments of a call swapped, a statement deleted
(so also every `return NotImplemented`). Only the text of the mutated expression
or statement is replaced, so every other line keeps its number and comments.

The tests run on a copy of the tree (COPIED) in a temporary folder, never on the
real files, so an interrupted run leaves nothing behind. Per mutant: `pytest -x -q
-p no:cacheprovider` on the tests of the STAGES (minus the slowest, SLOW_TESTS,
measured with --durations) that run one of the mutant's lines, traced once on the
unmutated code (--every-test: all of them), hypothesis derandomized (CI=1 loads
the "ci" profile of tests/conftest.py), with a timeout (default 4x the unmutated
stages + 60 s). The stages run in order and stop at the first failure, the
targeted tests/test_mutants_*.py first. Each run is a fork of this process, which
has imported pytest, hypothesis, sympy and torch once (--no-fork, and always the
browser stage: a fresh interpreter per run). A mutant is killed when the tests
fail or time out, and survives when they pass.

Score = (killed + timed out) / generated, per file; score* leaves out the mutants
marked equivalent in EQUIVALENT (a behaviour no test can see, with the reason).
It is slow (minutes per file) and not part of CI; use --jobs 1 on shared machines.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import copy
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORE = [
    "autograd/engine.py",
    "autograd/higher.py",
    "autograd/functional.py",
    "autograd/ops.py",
    "autograd/domain.py",
    "autograd/untracked.py",
]
EXTRA = ["autograd/gradcheck.py", "nn/losses.py"]
COMPILE = [
    "autograd/compiled.py",
    "autograd/emit.py",
    "autograd/opspec.py",
    "autograd/batched.py",
    "autograd/columns.py",
    "autograd/fused.py",
]
FORMULA_FILES = {"autograd/opspec.py"}  # string constants that are expressions are mutated
COPIED = ["autograd", "nn", "tests", "pyproject.toml", "README.md", "docs", "scripts", "benchmarks"]

# The tests each mutant runs, in stages; a stage runs only if the ones before it passed.
# First the targeted tests (tests/test_mutants_*.py, written to kill survivors of this
# script: quick to collect and run), then the files that test the core directly, then
# the rest. --skip-targeted leaves the first stage out: the score the suite had before.
TARGETED = "tests/test_mutants_"
STAGES = [
    [TARGETED + "*.py"],
    ["tests/test_engine.py", "tests/test_higher.py"],
    # the edge-point, nesting, op-table and compile tests (each a few seconds)
    [
        "tests/test_value_api.py",
        "tests/test_edges.py",
        "tests/test_higher_edges.py",
        "tests/test_nesting.py",
        "tests/test_opspec.py",
        "tests/test_optable_layers.py",
        "tests/test_nn_fused.py",
        "tests/test_codegen.py",
        "tests/test_compile_silent.py",
        "tests/test_vmap.py",
        "tests/test_vmap_fused.py",
        "tests/test_untracked.py",
        "tests/test_walk_c.py",
        "tests/test_fused_c.py",
    ],
    [
        "tests/test_errors.py",
        "tests/test_micrograd_compat.py",
        "tests/test_properties.py",
        "tests/test_gradcheck.py",
        "tests/test_gradcheck_kinks.py",
        "tests/test_issue22_gradcheck.py",
        "tests/test_nn_losses_optim.py",
        "tests/test_nn.py",
        "tests/test_nn_save.py",
        "tests/test_cli.py",
        "tests/test_gcpause.py",
        "tests/test_nn_mazur.py",
    ],
    # the compile suites' random programs, the explorer and drawings (headless
    # Chromium), the playground, the torch bridge: every other test file but the
    # README's install test (a pip install)
    [
        "tests/test_compile_fold.py",
        "tests/test_compile_vs_engine.py",
        "tests/test_draw*.py",
        "tests/test_explore*.py",
        "tests/test_gradcheck_rounding.py",
        "tests/test_issue22_*.py",
        "tests/test_nn_docs.py",
        "tests/test_nn_load*.py",
        "tests/test_nn_torch.py",
        "tests/test_ops_losses_lengths.py",
        "tests/test_playground*.py",
        "tests/test_torch_*.py",
    ],
]
# The slowest tests (pytest --durations=60 on the whole suite, 2026-11-27: each took
# over 2 s of the suite's 83 s, together 71 s), left out of every mutant's run. The
# notebooks are in no stage.
SLOW_TESTS = [
    "tests/test_properties.py::test_random_expressions_agree_with_finite_differences",  # 33 s
    "tests/test_nn.py::test_same_numbers_as_micrograd_step_for_step",  # 2 x 6-10 s
    "tests/test_nn.py::test_softmax_classifier_learns_the_spiral",  # 8 s
    "tests/test_nn.py::test_micrograd_demo_reaches_full_training_accuracy",  # 6 s
    "tests/test_engine.py::test_million_deep_chain_at_default_recursion_limit",  # 6 s
    "tests/test_cli.py::test_random_text_never_raises",  # 2 s
    # 2026-12-04: eight test files in a fresh interpreter on the plain-Python engine, 40 s
    "tests/test_untracked.py::test_the_plain_python_fallback_passes_the_engines_tests",
]

# Mutants no test can kill, because the program behaves the same.
# (file, original line stripped, mutation description): reason.
EQUIVALENT: dict[tuple[str, str, str], str] = {
    (
        "autograd/ops.py",
        "acc = _values_sum(ws, xs, b) if values else _weighted_sum(ws, xs, b)",
        "swap first two args of _values_sum()",
    ): "x * w for w * x: a float product is the same either way",
    (
        "autograd/ops.py",
        'return _node(acc, (*ws, *xs, *bias), "linear", _linear_bw_values, '
        "(ws, xs, b), shared=True)",
        'delete `return _node(acc, (*ws, *xs, *bias), "linear", _linear_bw_va`',
    ): "the general path makes the same node, whose rule tests each input (slower only)",
    ("autograd/emit.py", "if len(parts) > MAX_TERMS:", "> -> >="): "a run cut one term"
    " earlier goes on from its partial sum: the same terms in the same order",
    (
        "autograd/columns.py",
        "return out if out.ndim == 2 else out.reshape(len(cols), -1)",
        "2 -> 3",
    ): "reshaping a 2-D array of len(cols) rows to (len(cols), -1) leaves it as it is",
    ("autograd/compiled.py", "S += [0.0] * (prog.n_slots - len(S))", "0.0 -> 1.0"): "every slot"
    " past the inputs is written before it is read (the gradients' slots are set by backward)",
    ("autograd/compiled.py", "stores = [v for v in written if last[v] > k]", "> -> >="): "a value"
    " last read in its own chunk is stored too: an extra store, the same numbers",
    ("autograd/emit.py", "flush(p)", "delete `flush(p)`"): "as deleting `since += 1`: the runs go"
    " on, cut only at MAX_TERMS and at the node, the same terms in the same order",
    (
        "autograd/batched.py",
        "totals = np.array(per_sample, dtype=np.float64) * n",
        "* -> /",
    ): "a per-sample gradient that is a number is the unused 0.0 (every other flows from the"
    " seed, a column), so times or over n is 0.0",
    ("autograd/batched.py", "S += [0.0] * (prog.n_slots - len(S))", "- -> +"): "more slots"
    " than the program uses: unused",
    ("autograd/columns.py", "np.linspace(-40.0, 40.0, 1601),", "1601 -> 1602"): "the probe"
    " points' density: numpy's exp, log, sin, cos agree with math at these points too",
    ("autograd/columns.py", "np.geomspace(1e-300, 1e300, 1201),", "1e-300 -> 2e-300"): "as"
    " above: the probe's range",
    ("autograd/columns.py", "size += np.abs(B)", "delete `size += np.abs(B)`"): "where Y is"
    " near 0, |b| <= sum |w x| + |Y|, so leaving |b| out at most halves the size, and the"
    " bound carries a factor 2 of slack",
    (
        "autograd/columns.py",
        "near = ~(np.abs(Y) > 4.0 * (W.shape[1] + 2) * 2.0**-53 * size + 1e-300)  # nan, inf too",
        "* -> /",
    ): "a huge bound: every entry is summed again in the engine's order, the same numbers (slower)",
    (
        "autograd/columns.py",
        "near = ~(np.abs(Y) > 4.0 * (W.shape[1] + 2) * 2.0**-53 * size + 1e-300)  # nan, inf too",
        "+ -> -",
    ): "a margin for products below the normal range; no sum of subnormal products changed"
    " sign between the two orders in 20,000 random tries here",
    ("autograd/emit.py", "since += 1", "+= -> -="): "as deleting it: runs are then cut only at"
    " MAX_TERMS and at the node, the same terms in the same order (locality only)",
    (
        "autograd/fused.py",
        "and all(u[0]._op == first._op and _same(u[0]._ctx, first._ctx) for u in act)",
        "swap first two args of _same()",
    ): "_same is symmetric",
    (
        "autograd/fused.py",
        "w: int = -1  # variables of the forward pass: the weight matrix, the inputs stacked,",
        "1 -> 2",
    ): "a variable's number, set before it is read; the default is never used",
    (
        "autograd/fused.py",
        "w: int = -1  # variables of the forward pass: the weight matrix, the inputs stacked,",
        "drop unary -",
    ): "as above: the default is never read",
    (
        "autograd/fused.py",
        "x: int = -1  # the neurons' values stacked, the activations' values stacked",
        "1 -> 2",
    ): "a variable's number, set before it is read; the default is never used",
    (
        "autograd/fused.py",
        "x: int = -1  # the neurons' values stacked, the activations' values stacked",
        "drop unary -",
    ): "as above: the default is never read",
    ("autograd/fused.py", "u: int = -1", "1 -> 2"): "a variable's number, set before it is read;"
    " the default is never used",
    ("autograd/fused.py", "u: int = -1", "drop unary -"): "as above: the default is never read",
    ("autograd/fused.py", "y: int = -1", "1 -> 2"): "-2 is < 0 as -1 is: the layer is still"
    " written at its first neuron",
    (
        "autograd/fused.py",
        "key = (tuple(map(id, xs)), b is None)",
        "is -> is not",
    ): "the flag only groups neurons, flipped for all alike: the same groups",
    (
        "autograd/compiled.py",
        "if first[line.target] == -1 and line.target not in inputs:",
        "1 -> 2",
    ): "no variable is recorded as first assigned in a chunk, so each is also loaded from S"
    " at the chunk's start; its own assignment overwrites the load before any read (extra"
    " loads, the same numbers)",
    (
        "autograd/compiled.py",
        "if first[line.target] == -1 and line.target not in inputs:",
        "drop unary -",
    ): "as above: `first` never leaves -1 (extra loads, the same numbers)",
    (
        "autograd/emit.py",
        'return [Line(target, tuple(reads), " + ".join(terms), note)]',
        'delete `return [Line(target, tuple(reads), " + ".join(terms), note)]`',
    ): "a fold of at most MAX_TERMS terms then goes through the loop once, which writes the"
    " same sum with its fields renumbered: the same statement",
    (
        "autograd/compiled.py",
        "del out, traced  # the traced graph: freed now (no cycles), before compiling",
        "delete `del out, traced`",
    ): "the traced graph is freed when _trace returns instead: peak memory, the same numbers",
    (
        "autograd/emit.py",
        "elif isinstance(c, int) and abs(c) < 2**63:",
        "< -> <=",
    ): "a Python int literal of 2**63 is that int, so the compiled code computes what the"
    " engine does with it (the bound only sends larger ints to the engine)",
    (
        "autograd/emit.py",
        "seed: int = -1  # the variable holding the output's gradient (compile mode)",
        "drop unary -",
    ): "the default is overwritten in compile mode and not read in codegen's",
    (
        "autograd/emit.py",
        "since += 1",
        "delete `since += 1`",
    ): "runs of a gradient's terms are then cut only at MAX_TERMS and at the node: longer"
    " sums, the same terms in the same order (locality only)",
    (
        "autograd/emit.py",
        "if since > FOLD_TERMS:",
        "condition c -> not c",
    ): "runs are then cut after (almost) every node: shorter sums, the same terms in the same"
    " order",
    (
        "autograd/emit.py",
        "return isinstance(body, (ast.Name, ast.Call, ast.Constant, ast.UnaryOp))",
        "delete `return isinstance(body, (ast.Name, ast.Call, ast.Constant, a`",
    ): "every term that is not a product is then parenthesised: the same code",
    (
        "autograd/emit.py",
        'ds.append((w, re.sub("[wx]ᵢ", shown, spec.dmath[0])))',
        "0 -> 1",
    ): "the pattern [wx]ᵢ replaces linear's xᵢ and wᵢ alike, so both read the shown name",
    (
        "autograd/compiled.py",
        "if first[line.target] == -1 and line.target not in inputs:",
        "== -> !=",
    ): "as above: `first` never leaves -1 (extra loads, the same numbers)",
    (
        "autograd/compiled.py",
        "cost += len(line.reads) + 1",
        "1 -> 2",
    ): "chunks are cut a little earlier: other boundaries, the same statements in order",
    (
        "autograd/compiled.py",
        "if cost >= CHUNK_COST:",
        ">= -> >",
    ): "a chunk takes one statement more: other boundaries, the same statements in order",
    (
        "autograd/compiled.py",
        "while j < len(stores) and slot[stores[j]] == slot[stores[i]] + (j - i):",
        "+ -> -",
    ): "sorted slots never run downwards, so each value is stored by itself: the same stores",
    (
        "autograd/emit.py",
        "if root in need or root in wanted_set:",
        "in -> not in",
    ): "codegen then writes `grad_out = 1.0` for an output that depends on no input, a"
    " line nothing reads: the same numbers returned",
    (
        "autograd/engine.py",
        "__hash__ = object.__hash__",
        "delete `__hash__ = object.__hash__`",
    ): "Value defines no __eq__, so it inherits object.__hash__ anyway",
    (
        "autograd/engine.py",
        "if x >= 0:",
        ">= -> >",
    ): "sigmoid's two formulas both give exactly 0.5 at 0",
    (
        "autograd/engine.py",
        "if x >= 0:",
        "0 -> 1",
    ): "on [0, 1) sigmoid's two formulas are the same function; they differ only in rounding"
    " (each is correctly rounded for ~76% of x there, checked against mpmath)",
    (
        "autograd/engine.py",
        'return _node(self.data if self.data > 0.0 else 0.0, (self,), "ReLU", _backward)',
        "> -> >=",
    ): "changes only the sign of relu(-0.0)'s zero (-0.0, as PyTorch gives, instead of 0.0)",
    (
        "autograd/domain.py",
        "return math.inf if base > 0 or float(exponent) % 2 == 0 else -math.inf",
        "> -> >=",
    ): "0 ** e never overflows (0 ** negative raises before), so base == 0 never gets here",
    (
        "autograd/higher.py",
        "Rule = Callable[[Value, Grad], Sequence[Grad]]",
        "delete `Rule = Callable[[Value, Grad], Sequence[Grad]]`",
    ): "a type alias used only in annotations, which `from __future__ import annotations`"
    " never evaluates",
    (
        "autograd/functional.py",
        "gs = [_plain(g, nested) for g in gs]",
        "delete `gs = [_plain(g, nested) for g in gs]`",
    ): "gradients() already returns floats when not nested and Values (or 0.0) when nested",
    # the full run of compiled.py, emit.py and opspec.py, 2026-12-04
    (
        "autograd/compiled.py",
        "CHUNK_COST = 32000",
        "32000 -> 32001",
    ): (
        "a tuning constant: where chunks or runs are cut, not what they compute: the same"
        " terms in the same order"
    ),
    (
        "autograd/compiled.py",
        "_CODE_MAX = 4096",
        "4096 -> 4097",
    ): "the code cache holds one more entry (its bound is tested with a small _CODE_MAX)",
    (
        "autograd/compiled.py",
        "info: TraceInfo = field(repr=False, default=None)  # type: ignore[assignment]",
        "False -> True",
    ): "the repr of an internal record no one prints",
    (
        "autograd/compiled.py",
        "info: TraceInfo = field(repr=False, default=None)  # type: ignore[assignment]",
        "delete `info: TraceInfo = field(repr=False, default=None)`",
    ): "info is set after the record is made: without the field it is a plain attribute",
    (
        "autograd/compiled.py",
        "first = [-1] * n  # chunk of a variable's first plain assignment (-1: an input)",
        "1 -> 2",
    ): (
        "no variable counts as first assigned in its chunk: a chunk also loads what it "
        "assigns before reading it (extra loads, the same numbers)"
    ),
    (
        "autograd/compiled.py",
        "first[line.target] = k",
        "delete `first[line.target] = k`",
    ): "as first = [-2] * n: extra loads of values assigned before they are read",
    (
        "autograd/compiled.py",
        "last = [-1] * n  # last chunk that reads or updates it",
        "1 -> 2",
    ): "last is only compared with `> k` (k >= 0): -2 acts as -1",
    (
        "autograd/compiled.py",
        "last = [-1] * n  # last chunk that reads or updates it",
        "drop unary -",
    ): "a value no later chunk reads is stored in chunk 0 too: an extra store",
    (
        "autograd/compiled.py",
        "slot = [-1] * n",
        "1 -> 2",
    ): "slots are only compared with `< 0`: -2 acts as -1",
    (
        "autograd/compiled.py",
        "n_slots += 1",
        "1 -> 2",
    ): "slots two apart: S has unused gaps, the same numbers",
    (
        "autograd/compiled.py",
        "stores = sorted(stores, key=slot.__getitem__)",
        "delete `stores = sorted(stores, key=slot.__getitem__)`",
    ): (
        "unsorted, fewer runs of consecutive slots are found: more statements, each value"
        " at its slot"
    ),
    (
        "autograd/compiled.py",
        "S[lo:hi] = [0.0] * (hi - lo)",
        "delete `S[lo:hi] = [0.0] * (hi - lo)`",
    ): "S is new for each call: its slots past the inputs are already 0.0",
    (
        "autograd/compiled.py",
        "del young",
        "delete `del young`",
    ): "frees a set sooner: memory only",
    (
        "autograd/compiled.py",
        "sl.forward, sl.backward = [], []",
        "delete `sl.forward, sl.backward = [], []`",
    ): "frees the lines before compiling: memory only",
    (
        "autograd/emit.py",
        'text = ast.unparse(tree).replace("{", "{{").replace("}", "}}")',
        "swap first two args of ast.unparse(tree).replace('{', '{{').replace()",
    ): "no expression of the op table has a brace",
    (
        "autograd/emit.py",
        'text = ast.unparse(tree).replace("{", "{{").replace("}", "}}")',
        "swap first two args of ast.unparse(tree).replace()",
    ): "no expression of the op table has a brace",
    (
        "autograd/emit.py",
        "if len(_FILLED) > _FILLED_MAX:  # many distinct constants: start again",
        "> -> >=",
    ): "the cache is cleared one entry sooner",
    (
        "autograd/emit.py",
        "_FILLED[key] = hit",
        "delete `_FILLED[key] = hit`",
    ): "a cache never filled: each template filled again, the same text",
    (
        "autograd/emit.py",
        "if type(c) is float and c - c == 0.0:  # finite: the common case first",
        "0.0 -> 1.0",
    ): "finite floats take the general path, which writes the same text",
    (
        "autograd/emit.py",
        "c = int(c)",
        "delete `c = int(c)`",
    ): "a bool then takes the int branch, which writes repr(int(c)): the same text",
    (
        "autograd/emit.py",
        'text = repr(c) if math.isfinite(c) else ("inf" if c > 0 else "-inf")',
        "> -> >=",
    ): "c is +-inf here (NaN returned before): c >= 0 is c > 0",
    (
        "autograd/emit.py",
        "root: int = -1  # the output's variable",
        "1 -> 2",
    ): "a default always replaced before it is read",
    (
        "autograd/emit.py",
        "root: int = -1  # the output's variable",
        "drop unary -",
    ): "a default always replaced before it is read",
    (
        "autograd/emit.py",
        "seed: int = -1  # the variable holding the output's gradient (compile mode)",
        "delete `seed: int = -1`",
    ): "seed is set before it is read: without the field it is a plain attribute",
    (
        "autograd/emit.py",
        "n_ops: int = 0",
        "delete `n_ops: int = 0`",
    ): "n_ops is set before it is read: without the field it is a plain attribute",
    (
        "autograd/emit.py",
        "key = (node._op, len(node._prev), node._ctx is None)",
        "is -> is not",
    ): "a cache key flipped for every node alike: the same entries apart",
    (
        "autograd/emit.py",
        "if layers[v].y < 0:  # the layer's first neuron: the whole layer",
        "< -> <=",
    ): "y is -1 or a variable made after the inputs (never 0)",
    (
        "autograd/emit.py",
        "if layers[v].y < 0:  # the layer's first neuron: the whole layer",
        "0 -> 1",
    ): "y is -1 or a variable made after the inputs (never 0)",
    (
        "autograd/emit.py",
        (
            "FOLD_TERMS = 5000  # terms written between flushes of every partial sum (keeps "
            "chunks local)"
        ),
        "5000 -> 5001",
    ): (
        "a tuning constant: where chunks or runs are cut, not what they compute: the same"
        " terms in the same order"
    ),
    (
        "autograd/emit.py",
        "since = 0  # terms written since the last flush of everything",
        "0 -> 1",
    ): "where chunks or runs are cut, not what they compute: the same terms in the same order",
    (
        "autograd/emit.py",
        "since += 1",
        "1 -> 2",
    ): "where chunks or runs are cut, not what they compute: the same terms in the same order",
    (
        "autograd/emit.py",
        "since += 1",
        "+= -> =",
    ): "where chunks or runs are cut, not what they compute: the same terms in the same order",
    (
        "autograd/emit.py",
        "if since > FOLD_TERMS:",
        "> -> >=",
    ): "where chunks or runs are cut, not what they compute: the same terms in the same order",
    (
        "autograd/emit.py",
        "since = 0",
        "delete `since = 0`",
    ): "where chunks or runs are cut, not what they compute: the same terms in the same order",
    (
        "autograd/emit.py",
        "since = 0",
        "0 -> 1",
    ): "where chunks or runs are cut, not what they compute: the same terms in the same order",
    (
        "autograd/emit.py",
        "if len(parts) > MAX_TERMS:",
        "condition c -> not c",
    ): (
        "runs flushed after one term and never cut at MAX_TERMS: where chunks or runs are"
        " cut, not what they compute: the same terms in the same order (the 6,000-term "
        "test compiles either way)"
    ),
    (
        "autograd/emit.py",
        'if final and parts[0] == "{0}" and len(parts) == 1 and p not in started:',
        "not in -> in",
    ): (
        "a run of one passed-on term never belongs to a started gradient (a started run "
        "begins with its partial sum and gets a term): a copy is written instead of "
        "reused"
    ),
    (
        "autograd/emit.py",
        'parts, reads = start(x, "", -1)',
        "1 -> 2",
    ): "with expr '' the pass-on test is false whatever g is",
    (
        "autograd/emit.py",
        'parts, reads = start(x, "", -1)',
        "drop unary -",
    ): "with expr '' the pass-on test is false whatever g is",
    (
        "autograd/emit.py",
        "params = [(p, i) for p, i in params if p in wanted_set]",
        "delete `params = [(p, i) for p, i in params if p in wanted_set]`",
    ): (
        "a layer's weights and biases are Values (linear refuses numbers), and every "
        "Value is wanted"
    ),
    (
        "autograd/emit.py",
        "if len(terms) <= MAX_TERMS:  # one line: the fields are numbered as `reads` is",
        "<= -> <",
    ): "exactly MAX_TERMS terms: the general path makes the same one line",
    (
        "autograd/emit.py",
        "width = min(max((len(code) for code, note in body if note), default=0), 48)",
        "swap first two args of min()",
    ): "min is symmetric",
    (
        "autograd/opspec.py",
        "return None",
        "delete `return None`",
    ): "the function returns None at its end anyway",
    (
        "autograd/emit.py",
        "@dataclass(slots=True)",
        "True -> False",
    ): "Line without __slots__: more memory per line, the same code",
    (
        "autograd/emit.py",
        "root: int = -1  # the output's variable",
        "delete `root: int = -1`",
    ): "root is set before it is read: without the field it is a plain attribute",
    (
        "autograd/emit.py",
        "seed: int = -1  # the variable holding the output's gradient (compile mode)",
        "1 -> 2",
    ): "a default replaced before it is read",
    (
        "autograd/emit.py",
        "n_ops: int = 0",
        "0 -> 1",
    ): "a default replaced before it is read",
    (
        "autograd/emit.py",
        "width = min(max((len(code) for code, note in body if note), default=0), 48)",
        "0 -> 1",
    ): "the width when no line has a note: then it pads nothing",
    (
        "autograd/compiled.py",
        "S += [0.0] * (prog.n_slots - len(S))",
        "- -> +",
    ): "more slots than the program uses: unused",
    (
        "autograd/compiled.py",
        "gc.collect(0)  # what exists now is older than generation 0 ...",
        "0 -> 1",
    ): "collecting generation 1 too also leaves only the call's new objects in generation 0",
    (
        "autograd/compiled.py",
        "layout = [leaf_var.get(leaf, -1) for leaf in leaves] + [leaf_var[v] for v in fixed]",
        "1 -> 2",
    ): "layout entries are only tested with `>= 0`: -2 acts as -1",
    (
        "autograd/opspec.py",
        '"(a if a > 0.0 else 0.0) + log1p(exp(-fabs(a)))",',
        "in '(a if a > 0.0 else 0.0) + log1p(exp(-fabs(a)))': > -> >=",
    ): "at a = +-0.0 both branches add a zero to log(2): the same float",
    (
        "autograd/opspec.py",
        "return evaluate(self.spec.forward, a=x, c=self.const if self.const is not None else 0.0)",
        "0.0 -> 1.0",
    ): 'c is read only by the "vc" forms, which have a const',
    (
        "autograd/opspec.py",
        "return lambda sp, a, x: a if x > 0 else at_kink_left(sp, a)",
        "> -> >=",
    ): (
        "the side of a kink's sympy form at the kink itself: the tests compare the slopes"
        " at kinks by the engine's rule (test_gradcheck_kinks), not with sympy"
    ),
    (
        "autograd/opspec.py",
        "lambda t, x: t.logaddexp(x, t.zeros_like(x)),  # torch's softplus cuts off at 20",
        "swap first two args of t.logaddexp()",
    ): "logaddexp is symmetric",
    (
        "autograd/opspec.py",
        "s = repr(float(node.value)) if not isinstance(node.value, bool) else str(node.value)",
        "condition c -> not c",
    ): (
        "the table's formulas have no bool constants, and an int or float reads the same "
        "in JavaScript either way"
    ),
    (
        "autograd/opspec.py",
        "s = repr(float(node.value)) if not isinstance(node.value, bool) else str(node.value)",
        "drop unary not",
    ): (
        "the table's formulas have no bool constants, and an int or float reads the same "
        "in JavaScript either way"
    ),
    (
        "autograd/compiled.py",
        "slot[v], n_slots = n_slots, n_slots + 1",
        "+ -> -",
    ): "never reached: every output of a program is in the layout or written by a line",
    (
        "autograd/compiled.py",
        "slot[v], n_slots = n_slots, n_slots + 1",
        "1 -> 2",
    ): "never reached: every output of a program is in the layout or written by a line",
    (
        "autograd/compiled.py",
        "slot[v], n_slots = n_slots, n_slots + 1",
        "delete `slot[v], n_slots = n_slots, n_slots + 1`",
    ): "never reached: every output of a program is in the layout or written by a line",
    (
        "autograd/emit.py",
        'return f"({text})" if text[0] == "-" else text',
        'delete `return f"({text})" if text[0] == "-" else text`',
    ): "the general path below writes the same text for a finite float",
    (
        "autograd/emit.py",
        "if type(c) is float and c - c == 0.0:  # finite: the common case first",
        "- -> +",
    ): "floats other than 0.0 take the general path, which writes the same text",
    (
        "autograd/emit.py",
        'text = repr(c) if math.isfinite(c) else ("inf" if c > 0 else "-inf")',
        "0 -> 1",
    ): "c is +-inf here (NaN returned before): c > 1 is c > 0",
    (
        "autograd/compiled.py",
        "return self.fn(*args)  # never, in practice: the plain trace compiled",
        "delete `return self.fn(*args)`",
    ): (
        "reached only if the trace with an argument shared falls back where the plain "
        "trace of the same function compiled: the same ops, so it does not"
    ),
    (
        "autograd/emit.py",
        "if type(c) is float and c - c == 0.0:  # finite: the common case first",
        "== -> !=",
    ): (
        "finite floats take the general path, and repr of inf, nan and -inf is the "
        "general path's text"
    ),
    (
        "autograd/emit.py",
        "flush(v, final=True)",
        "True -> False",
    ): "a copy line instead of reading the child's variable: the same number",
    (
        "autograd/emit.py",
        "flush(x)",
        "delete `flush(x)`",
    ): (
        "a run cut at MAX_TERMS no longer: a longer line, the same sum (a leaf read by "
        "more than 64 layers)"
    ),
    (
        "autograd/emit.py",
        "and math.copysign(1.0, b.value) > 0",
        "> -> >=",
    ): "copysign(1.0, v) is never 0",
    (
        "autograd/emit.py",
        "and math.copysign(1.0, b.value) > 0",
        "1.0 -> 2.0",
    ): "copysign(2.0, v) has v's sign as copysign(1.0, v) has",
    (
        "autograd/emit.py",
        "elif g != out.seed and expr and _passes_on(expr):",
        "!= -> ==",
    ): (
        "a passed-on g is the seed or an op node's gradient, and neither is ever -0.0 "
        "(the seed is the compiled node's own gradient, summed from 0.0): 0.0 + g is g"
    ),
}


@dataclass
class Mutant:
    file: str
    line: int
    kind: str
    desc: str
    original: str  # the original source line
    mutated: str  # the whole mutated file
    new_text: str  # the mutated line, for the report
    end: int = 0  # the last line of the mutated node (0: `line` only)

    @property
    def lines(self) -> range:
        return range(self.line, max(self.line, self.end) + 1)

    @property
    def equivalent(self) -> str | None:
        return EQUIVALENT.get((self.file, self.original.strip(), self.desc))


# -- generating mutants -------------------------------------------------------

_BINOPS = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.Mod: ast.Div,
    ast.FloorDiv: ast.Div,
    ast.Pow: ast.Mult,
}
_CMPOPS = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
}
_AUGOPS = {ast.Add: [ast.Sub, None], ast.Sub: [ast.Add, None], ast.Mult: [None], ast.Div: [None]}
_SYM = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.Mod: "%",
    ast.FloorDiv: "//",
    ast.Pow: "**",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.And: "and",
    ast.Or: "or",
}


def _new_const(v: object) -> object:
    if isinstance(v, bool):
        return not v
    if isinstance(v, int):
        return v + 1
    if isinstance(v, float):
        return 1.0 if v == 0 else (v * 2 if v == v else 0.0)
    return None


def _skip_regions(tree: ast.AST) -> set[int]:
    """ids of nodes not to mutate: docstrings, annotations, f-string internals."""
    skip: set[int] = set()

    def mark(n: ast.AST | None) -> None:
        if n is not None:
            skip.update(id(x) for x in ast.walk(n))

    for n in ast.walk(tree):
        if isinstance(n, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = n.body
            first = body[0] if body else None
            doc = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            if doc and isinstance(first.value.value, str):
                mark(first)
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
            mark(n.returns)
            for a in n.args.args + n.args.kwonlyargs + n.args.posonlyargs:
                mark(a.annotation)
            for a in (n.args.vararg, n.args.kwarg):
                if a is not None:
                    mark(a.annotation)
        if isinstance(n, ast.AnnAssign):
            mark(n.annotation)
        if isinstance(n, ast.JoinedStr):
            mark(n)
        if isinstance(n, (ast.Import, ast.ImportFrom)):
            mark(n)
        if isinstance(n, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in n.targets
        ):
            mark(n)
    return skip


def _candidates(node: ast.AST) -> list[tuple[str, str, ast.AST]]:
    """(kind, description, replacement node) for each mutation of this one node."""
    out: list[tuple[str, str, ast.AST]] = []
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        new = copy.deepcopy(node)
        new.op = _BINOPS[type(node.op)]()
        out.append(("binop", f"{_SYM[type(node.op)]} -> {_SYM[type(new.op)]}", new))
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Not)):
        what = "-" if isinstance(node.op, ast.USub) else "not"
        out.append(("unary", f"drop unary {what}", copy.deepcopy(node.operand)))
    elif isinstance(node, ast.Constant):
        v = _new_const(node.value)
        if v is not None and not isinstance(node.value, str):
            out.append(("const", f"{node.value!r} -> {v!r}", ast.Constant(v)))
    elif isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            if type(op) in _CMPOPS:
                new = copy.deepcopy(node)
                new.ops[i] = _CMPOPS[type(op)]()
                out.append(("compare", f"{_SYM[type(op)]} -> {_SYM[type(new.ops[i])]}", new))
    elif isinstance(node, ast.BoolOp):
        new = copy.deepcopy(node)
        new.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        out.append(("boolop", f"{_SYM[type(node.op)]} -> {_SYM[type(new.op)]}", new))
    elif isinstance(node, ast.IfExp):
        new = copy.deepcopy(node)
        new.test = ast.UnaryOp(ast.Not(), new.test)
        out.append(("cond", "condition c -> not c", new))
    elif isinstance(node, ast.Call) and len(node.args) >= 2:
        a, b = node.args[0], node.args[1]
        starred = isinstance(a, ast.Starred) or isinstance(b, ast.Starred)
        if not starred and ast.dump(a) != ast.dump(b):
            new = copy.deepcopy(node)
            new.args[0], new.args[1] = new.args[1], new.args[0]
            name = ast.unparse(node.func)
            out.append(("swap_args", f"swap first two args of {name}()", new))
    return out


def _stmt_candidates(node: ast.stmt) -> list[tuple[str, str, str]]:
    """(kind, description, replacement text) for a statement."""
    out: list[tuple[str, str, str]] = []
    if isinstance(node, ast.AugAssign) and type(node.op) in _AUGOPS:
        for op in _AUGOPS[type(node.op)]:
            if op is None:
                new: ast.stmt = ast.Assign([copy.deepcopy(node.target)], copy.deepcopy(node.value))
                new.lineno = node.lineno
                desc = f"{_SYM[type(node.op)]}= -> ="
            else:
                new = copy.deepcopy(node)
                new.op = op()
                desc = f"{_SYM[type(node.op)]}= -> {_SYM[op]}="
            out.append(("augassign", desc, ast.unparse(new)))
    if isinstance(node, (ast.If, ast.While)):
        test = ast.unparse(node.test)
        out.append(("cond", "condition c -> not c", f"not ({test})"))
    simple = (ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return, ast.Raise, ast.Delete)
    if isinstance(node, simple) and getattr(node, "value", True) is not None:
        out.append(("stmt_del", "delete", "pass"))
    return out


def _formula_candidates(text: str) -> list[tuple[str, str]]:
    """(description, new string literal) for each mutation inside a formula string."""
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        return []
    if isinstance(tree.body, (ast.Name, ast.Constant)):
        return []  # a name or a number, not a formula
    out = []
    for k, node in enumerate(ast.walk(tree)):
        for _kind, desc, new in _candidates(node):
            mutated = copy.deepcopy(tree)
            target = list(ast.walk(mutated))[k]
            parent_fields = [(p, f, v) for p in ast.walk(mutated) for f, v in ast.iter_fields(p)]
            for p, f, v in parent_fields:
                if v is target:
                    setattr(p, f, new)
                elif isinstance(v, list) and any(x is target for x in v):
                    v[[i for i, x in enumerate(v) if x is target][0]] = new
            out.append((f"in {text!r}: {desc}", repr(ast.unparse(mutated.body))))
    return out


def _replace(src_lines: list[str], node: ast.AST, text: str, paren: bool) -> str:
    """The file with node's source span replaced by text (line numbers kept)."""
    l0, c0 = node.lineno - 1, node.col_offset
    l1, c1 = node.end_lineno - 1, node.end_col_offset
    pad = "\n" * (l1 - l0)
    new = f"({text}{pad})" if paren else text + pad
    # col offsets are in UTF-8 bytes
    first = src_lines[l0].encode()
    last = src_lines[l1].encode()
    line = first[:c0].decode() + new + last[c1:].decode()
    return "".join(src_lines[:l0]) + line + "".join(src_lines[l1 + 1 :])


def generate(rel: str) -> list[Mutant]:
    """Every mutant of one file, in source order."""
    path = os.path.join(ROOT, rel)
    with open(path, encoding="utf-8") as f:
        src = f.read()
    lines = src.splitlines(keepends=True)
    tree = ast.parse(src)
    skip = _skip_regions(tree)
    found: list[Mutant] = []

    def add(node: ast.AST, kind: str, desc: str, text: str, paren: bool) -> None:
        mutated = _replace(lines, node, text, paren)
        try:
            ast.parse(mutated)
        except SyntaxError:
            return
        if mutated == src:
            return
        original = lines[node.lineno - 1].rstrip("\n")
        shown = mutated.splitlines()[node.lineno - 1]
        end = getattr(node, "end_lineno", None) or node.lineno
        found.append(Mutant(rel, node.lineno, kind, desc, original, mutated, shown, end))

    for node in ast.walk(tree):
        if id(node) in skip or not hasattr(node, "lineno"):
            continue
        if isinstance(node, ast.stmt):
            for kind, desc, text in _stmt_candidates(node):
                if kind == "cond":  # replace only the test of the if/while
                    add(node.test, kind, desc, text, True)
                else:
                    if kind == "stmt_del":
                        seg = ast.get_source_segment(src, node) or ""
                        desc = f"delete `{seg.splitlines()[0][:60]}`"
                    add(node, kind, desc, text, False)
        elif isinstance(node, ast.expr):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if rel in FORMULA_FILES:
                    for desc, text in _formula_candidates(node.value):
                        add(node, "formula", desc, text, False)
                continue
            for kind, desc, new in _candidates(node):
                add(node, kind, desc, ast.unparse(new), True)
    found.sort(key=lambda m: (m.line, m.kind, m.desc))
    return found


# -- running ------------------------------------------------------------------


def _copy_tree(dest: str) -> None:
    for name in COPIED:
        src = os.path.join(ROOT, name)
        if os.path.isdir(src):
            shutil.copytree(
                src, os.path.join(dest, name), ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(src, os.path.join(dest, name))


def _stage_files(tmp: str, stage: list[str]) -> list[str]:
    return sorted(
        os.path.relpath(f, tmp) for pat in stage for f in glob.glob(os.path.join(tmp, pat))
    )


def _pytest_cmd(tmp: str, stage: list[str], ids: list[str] | None = None) -> list[str]:
    """The stage's files, or only the tests `ids` of them."""
    files = _stage_files(tmp, stage) if ids is None else ids
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "--no-header"]
    cmd += ["-o", "addopts=", "--assert=plain"]  # pass or fail is all that counts: no rewriting
    for t in SLOW_TESTS:
        cmd += ["--deselect", t]
    return cmd + files


def _env(tmp: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PYTHONPATH=tmp,
        CI="1",  # the derandomized hypothesis profile; torch must be present
        PYTHONDONTWRITEBYTECODE="1",  # a stale .pyc of a same-size mutant must never load
        PYTHONHASHSEED="0",
    )
    return env


def _run(
    tmp: str, timeout: float, fork: bool = True, select: list[list[str]] | None = None
) -> tuple[str, float, str, int]:
    """('pass' | 'fail' | 'timeout', seconds, last lines of output, index of the last
    stage run) over the stages; with `select`, only those tests of each stage."""
    t0 = time.monotonic()
    status, tail, last = "pass", "", 0
    if select is not None and not any(select):
        return "pass", 0.0, UNRUN, 0
    for k, stage in enumerate(STAGES):
        ids = None if select is None else select[k]
        if not (ids if ids is not None else _stage_files(tmp, stage)):
            continue  # no file (or selected test) of this stage
        left = timeout - (time.monotonic() - t0)
        if left <= 0:
            status, tail = "timeout", ""
        elif fork and k < len(STAGES) - 1:
            status, _, tail = _run_forked(tmp, stage, left, ids)
        else:  # the browser stage: playwright in a child forked from a threaded process hangs
            status, _, tail = _run_subprocess(tmp, stage, left, ids)
        last = k
        if status != "pass":
            break
    return status, time.monotonic() - t0, tail, last


def _run_subprocess(
    tmp: str, stage: list[str], timeout: float, ids: list[str] | None = None
) -> tuple[str, float, str]:
    t0 = time.monotonic()
    try:
        p = subprocess.run(
            _pytest_cmd(tmp, stage, ids),
            cwd=tmp,
            env=_env(tmp),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return "timeout", time.monotonic() - t0, ""
    status = "pass" if p.returncode == 0 else "fail"
    tail = "\n".join((p.stdout + p.stderr).strip().splitlines()[-3:])
    return status, time.monotonic() - t0, tail


_PRELOAD = ["pytest", "hypothesis", "numpy", "sympy", "torch", "micrograd", "graphviz"]
_PRELOAD += [  # pytest's plugins, imported by every run (0.5 s each time otherwise)
    "_hypothesis_pytestplugin",
    "xdist.plugin",
    "xdist.looponfail",
    "nbmake.pytest_plugin",
    "platformdirs.pytest_plugin",
]


def _preload() -> None:
    """Import the heavy third-party modules once, so each forked run skips that cost.

    Nothing of valuegrad (autograd, nn, the tests) is imported here: every child
    imports the mutated copy afresh."""
    os.environ.update({k: v for k, v in _env("").items() if k != "PYTHONPATH"})
    for name in _PRELOAD:
        with contextlib.suppress(ImportError):
            __import__(name)
    assert not any(m.split(".")[0] in ("autograd", "nn", "conftest") for m in sys.modules)


_CHILDREN: set[int] = set()
_STOP: list[bool] = []


def _terminate(*_: object) -> None:
    """SIGTERM: end the running tests, then exit (the temporary copies are removed)."""
    _STOP.append(True)
    for pid in list(_CHILDREN):
        with contextlib.suppress(ProcessLookupError, ChildProcessError):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    raise SystemExit("mutate.py: terminated")


def _run_forked(
    tmp: str,
    stage: list[str],
    timeout: float,
    ids: list[str] | None = None,
    trace: tuple[list[str], str] | None = None,
) -> tuple[str, float, str]:
    """pytest in a forked child of this (preloaded) process, output to a log file;
    with `trace` (files, json path), which lines of the files each test runs."""
    log = os.path.join(tmp, ".mutant.log")
    args = _pytest_cmd(tmp, stage, ids)[3:]  # drop `python -m pytest`
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 3
        try:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            os.chdir(tmp)
            os.environ["PYTHONPATH"] = tmp
            sys.path.insert(0, tmp)
            import gc

            import pytest

            gc.freeze()  # pytest's gc.collect() calls then skip the preloaded modules
            code = int(pytest.main(args)) if trace is None else _traced_main(args, tmp, *trace)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _CHILDREN.add(pid)
    deadline = t0 + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            _CHILDREN.discard(pid)
            return "timeout", time.monotonic() - t0, ""
        time.sleep(0.02)
    _CHILDREN.discard(pid)
    secs = time.monotonic() - t0
    with open(log, encoding="utf-8", errors="replace") as f:
        tail = "\n".join(f.read().strip().splitlines()[-3:])
    ok = os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    return ("pass" if ok else "fail"), secs, tail


# -- which tests run which lines ------------------------------------------------
# A mutant runs only the tests that run one of its lines (mutmut's and cosmic-ray's
# coverage filter), stage by stage; a line that runs outside any test (at import,
# while collecting) keeps the whole stages. A test whose result depends on a line run
# only by an earlier test (a cache filled there) is missed: a survivor is worth a run
# of the whole stages (`--every-test --files F --lines N`) before it is called one.

UNRUN = "no test of the stages runs these lines"


def _traced_main(args: list[str], tmp: str, files: list[str], out: str) -> int:
    """pytest.main(args), writing {test id: ["file:line", ...]} of `files` to `out`
    ("" holds the lines run outside any test)."""
    import json
    import threading

    import pytest

    where = {os.path.join(tmp, f): f for f in files}
    seen: dict[str, set[str]] = {"": set()}
    sink = [seen[""]]

    def local(frame, event, arg):  # noqa: ANN001, ANN202
        if event == "line":
            sink[0].add(f"{where[frame.f_code.co_filename]}:{frame.f_lineno}")
        return local

    def on_call(frame, event, arg):  # noqa: ANN001, ANN202
        return local if frame.f_code.co_filename in where else None

    class Cover:
        @pytest.hookimpl(hookwrapper=True)
        def pytest_runtest_protocol(self, item, nextitem):  # noqa: ANN001, ANN202
            sink[0] = seen.setdefault(item.nodeid, set())
            yield
            sink[0] = seen[""]

    threading.settrace(on_call)
    sys.settrace(on_call)
    try:
        code = int(pytest.main(args, plugins=[Cover()]))
    finally:
        sys.settrace(None)
    with open(out, "w", encoding="utf-8") as f:
        json.dump({k: sorted(v) for k, v in seen.items()}, f)
    return code


@dataclass
class Coverage:
    tests: list[tuple[int, str]]  # (stage, test id), in the order they ran
    lines: dict[str, set[int]]  # "file:line" -> indices into tests
    outside: set[str]  # "file:line" run outside any test

    def select(self, m: Mutant) -> list[list[str]] | None:
        """The tests to run per stage, or None: every test of every stage."""
        keys = [f"{m.file}:{n}" for n in m.lines]
        if any(k in self.outside for k in keys):
            return None
        chosen = sorted(set().union(*(self.lines.get(k, set()) for k in keys)))
        out: list[list[str]] = [[] for _ in STAGES]
        for i in chosen:
            stage, test = self.tests[i]
            out[stage].append(test)
        return out


def _coverage(tmp: str, files: list[str]) -> Coverage:
    """Run the stages once on the unmutated copy, tracing `files`."""
    import json

    cov = Coverage([], {}, set())
    for k, stage in enumerate(STAGES):
        if not _stage_files(tmp, stage):
            continue
        out = os.path.join(tmp, f".cover{k}.json")
        status, secs, tail = _run_forked(tmp, stage, 3600, None, (files, out))
        if status != "pass":
            sys.exit(f"mutate.py: stage {k + 1} fails when traced:\n{tail}")
        with open(out, encoding="utf-8") as f:
            seen = json.load(f)
        cov.outside.update(seen.pop(""))
        for test, lines in seen.items():
            for key in lines:
                cov.lines.setdefault(key, set()).add(len(cov.tests))
            cov.tests.append((k, test))
        print(f"traced stage {k + 1}: {len(seen)} tests, {secs:.0f} s", flush=True)
    return cov


def _check_copy(tmp: str) -> None:
    """The temporary copy, not the installed package, must be what the tests import."""
    code = "import autograd, nn; print(autograd.__file__); print(nn.__file__)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp, env=_env(tmp), capture_output=True, text=True
    ).stdout
    for line in out.split():
        if not line.startswith(tmp):
            sys.exit(f"mutate.py: the tests would import {line}, not the copy in {tmp}")


def _worker(
    tmp: str,
    jobs: list[tuple[int, Mutant]],
    timeout: float,
    results: dict,
    log,  # noqa: ANN001
    fork: bool,
    cov: Coverage | None,
) -> None:
    """Run these mutants one after the other in the copy `tmp`."""
    for i, m in jobs:
        if _STOP:
            return
        target = os.path.join(tmp, m.file)
        with open(target, encoding="utf-8") as f:
            original = f.read()
        with open(target, "w", encoding="utf-8") as f:
            f.write(m.mutated)
        try:
            select = cov.select(m) if cov is not None else None
            status, secs, tail, stage = _run(tmp, timeout, fork, select)
        finally:
            with open(target, "w", encoding="utf-8") as f:
                f.write(original)
        results[i] = (status, secs, tail, stage)
        log(i, m, status, secs)


def run_all(
    mutants: list[Mutant], jobs: int, timeout: float | None, fork: bool, every: bool = False
) -> dict:
    """Run each mutant's tests: every test of the stages, or (`every` false, forking)
    only the tests that run its lines."""
    import threading

    if fork:
        _preload()
    cov = None
    with tempfile.TemporaryDirectory(prefix="valuegrad-mut-") as tmp:
        _copy_tree(tmp)
        _check_copy(tmp)
        status, base, tail, _ = _run(tmp, 3600, fork)
        if status != "pass":
            sys.exit(f"mutate.py: the test subset fails on the unmutated code:\n{tail}")
        if fork and not every:
            cov = _coverage(tmp, sorted({m.file for m in mutants}))
    if timeout is None:
        timeout = 4 * base + 60  # generous: on a loaded machine a survivor must not time out
    print(f"unmutated subset: {base:.1f} s; timeout per mutant {timeout:.0f} s", flush=True)
    results: dict[int, tuple[str, float, str, int]] = {}
    lock = threading.Lock()
    t0 = time.monotonic()

    def log(i: int, m: Mutant, status: str, secs: float) -> None:
        with lock:
            done = len(results)
            eq = " [EQUIV]" if m.equivalent else ""
            mark = {"pass": "SURVIVED", "fail": "killed", "timeout": "timeout"}[status]
            if results[i][2] == UNRUN:
                mark += ", no test runs it"
            el = time.monotonic() - t0
            print(
                f"[{done}/{len(mutants)} {el:.0f}s] {m.file}:{m.line} [{m.kind}] {m.desc}: "
                f"{mark} ({secs:.1f}s, stage {results[i][3] + 1}){eq}",
                flush=True,
            )

    indexed = list(enumerate(mutants))
    with contextlib.ExitStack() as stack:  # removes the copies, also on SIGTERM or Ctrl-C
        threads = []
        for k in range(jobs):
            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="valuegrad-mut-"))
            _copy_tree(tmp)
            work = (tmp, indexed[k::jobs], timeout, results, log, fork, cov)
            threads.append(threading.Thread(target=_worker, args=work, daemon=True))
        try:
            for t in threads:
                t.start()
            for t in threads:
                while t.is_alive():  # join in steps, so that signals reach this thread
                    t.join(0.5)
        except BaseException:
            _terminate()
    return {"results": results, "base": base, "timeout": timeout}


def report(mutants: list[Mutant], results: dict[int, tuple[str, float, str, int]]) -> str:
    """Per-file scores and the survivors."""
    out = [f"{'file':26}{'gen':>5}{'killed':>7}{'surv':>6}{'t/o':>5}{'equiv':>6}"]
    out[-1] += f"{'score':>8}{'score*':>8}"
    tot = [0, 0, 0, 0, 0]
    for f in sorted({m.file for m in mutants}, key=lambda f: (f not in CORE, f)):
        idx = [i for i, m in enumerate(mutants) if m.file == f and i in results]
        v = [results[i][0] for i in idx]
        eq = sum(mutants[i].equivalent is not None for i in idx)
        row = [len(idx), v.count("fail"), v.count("pass"), v.count("timeout"), eq]
        tot = [a + b for a, b in zip(tot, row)]
        out.append(_row(f, *row))
    out.append(_row("TOTAL", *tot))
    out.append("score = (killed + timeout) / generated;  score* = the same, equivalents left out")
    out.append("")
    out.append("Survivors (file:line [kind] mutation / original line / mutated line):")
    for i, m in enumerate(mutants):
        if i in results and results[i][0] == "pass":
            eq = f"  [EQUIV: {m.equivalent}]" if m.equivalent else ""
            eq += f"  [{UNRUN}]" if results[i][2] == UNRUN else ""
            out.append(f"{m.file}:{m.line} [{m.kind}] {m.desc}{eq}")
            out.append(f"    {m.original.strip()}")
            out.append(f"    => {m.new_text.strip()}")
    return "\n".join(out) + "\n"


def _row(name: str, gen: int, killed: int, surv: int, to: int, eq: int) -> str:
    score = (killed + to) / gen if gen else 1.0
    score_eq = (killed + to) / (gen - eq) if gen - eq else 1.0
    return f"{name:26}{gen:5}{killed:7}{surv:6}{to:5}{eq:6}{score:8.1%}{score_eq:8.1%}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", nargs="+", help="files to mutate (default: CORE)")
    ap.add_argument("--extra", action="store_true", help="also gradcheck.py and nn/losses.py")
    ap.add_argument(
        "--compile", action="store_true", help="also compile, codegen, vmap and the op table"
    )
    ap.add_argument("--sample", type=int, help="run a random sample of this many mutants")
    ap.add_argument("--seed", type=int, default=0, help="seed of --sample (default 0)")
    ap.add_argument("--jobs", type=int, default=1, help="parallel workers (default 1)")
    ap.add_argument("--limit", type=int, help="run at most this many mutants per file")
    ap.add_argument("--list", action="store_true", help="only list the mutants")
    ap.add_argument(
        "--lines", help="only mutants on these lines, e.g. 40-50,77 (with one file in --files)"
    )
    ap.add_argument("--timeout", type=float, help="seconds per mutant (default: 3x the subset)")
    ap.add_argument("--out", help="also write the report to this file")
    ap.add_argument(
        "--skip-targeted",
        action="store_true",
        help=f"run the subset without {TARGETED}*.py (the score before they were written)",
    )
    ap.add_argument(
        "--no-fork",
        action="store_true",
        help="a fresh `python -m pytest` per mutant (slower) instead of forking a process "
        "that has imported pytest, hypothesis, sympy and torch once",
    )
    ap.add_argument(
        "--every-test",
        action="store_true",
        help="run every test of the stages for each mutant, not only the tests that run "
        "its lines (traced once on the unmutated code)",
    )
    ap.add_argument("--rerun", help="only the survivors listed in this report (written by --out)")
    args = ap.parse_args(argv)
    files = args.files or CORE + (EXTRA if args.extra else []) + (COMPILE if args.compile else [])
    mutants: list[Mutant] = []
    for f in files:
        ms = generate(f)
        if args.lines:
            keep = set()
            for part in args.lines.split(","):
                lo, _, hi = part.partition("-")
                keep.update(range(int(lo), int(hi or lo) + 1))
            ms = [m for m in ms if m.line in keep]
        mutants += ms[: args.limit] if args.limit else ms
    if args.rerun:  # by file, kind, mutation and the line's text: lines may have moved since
        with open(args.rerun, encoding="utf-8") as f:
            text = f.read().split("\nSurvivors", 1)[-1].splitlines()
        listed = set()
        for head, original in zip(text, text[1:]):
            if head.startswith("autograd/") or head.startswith("nn/"):
                where, _, rest = head.split("  [")[0].partition(" [")
                kind, _, desc = rest.partition("] ")
                listed.add((where.split(":")[0], kind, desc, original.strip()))
        mutants = [  # those marked equivalent since are left out
            m
            for m in mutants
            if (m.file, m.kind, m.desc, m.original.strip()) in listed and not m.equivalent
        ]
    if args.sample and args.sample < len(mutants):
        import random

        mutants = sorted(
            random.Random(args.seed).sample(mutants, args.sample),
            key=lambda m: (m.file, m.line, m.kind, m.desc),
        )
    if args.list:
        for m in mutants:
            eq = "  [EQUIV]" if m.equivalent else ""
            print(f"{m.file}:{m.line} [{m.kind}] {m.desc}{eq}\n    {m.original.strip()}")
            print(f"    => {m.new_text.strip()}")
        print(f"{len(mutants)} mutants")
        return 0
    if args.skip_targeted:
        del STAGES[0]
    signal.signal(signal.SIGTERM, _terminate)
    fork = not args.no_fork and hasattr(os, "fork")
    run = run_all(mutants, max(1, args.jobs), args.timeout, fork, args.every_test)
    text = report(mutants, run["results"])
    print("\n" + text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
