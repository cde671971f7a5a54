"""What `help()` shows for nn's modules: every public name documented, MLP's arguments explained."""

import inspect
import pydoc
import random

import pytest

import nn
from nn import MLP, Layer, Module, Neuron


@pytest.mark.parametrize("cls", [Module, Neuron, Layer, MLP])
def test_every_public_method_has_its_own_docstring(cls):
    assert inspect.getdoc(cls), cls
    for name, member in vars(cls).items():
        if name.startswith("_") and name != "__call__":
            continue
        if callable(member) or isinstance(member, property | classmethod):
            func = member.__func__ if isinstance(member, classmethod) else member
            assert func.__doc__ and func.__doc__.strip(), f"{cls.__name__}.{name}"


def test_help_mlp_says_what_nouts_activations_and_seed_are():
    text = pydoc.render_doc(MLP, renderer=pydoc.plaintext)
    doc = MLP.__doc__
    assert "`nouts` lists the layers' widths" in doc and "number of outputs" in doc
    for name in nn.ACTIVATIONS:  # every activation there is, by name
        assert f'"{name}"' in doc, name
    assert "`seed=None`" in doc and "micrograd's weights" in doc
    # help() shows the class docstring and parameters()' own
    assert "nouts" in text and "Every weight and bias" in text
    assert "`nouts` lists" in text.replace("|  ", "").replace("\n ", " ")


def test_the_seed_none_promise_holds():
    """MLP's docstring promises micrograd's weights from random.seed(1337): check it."""
    micro = pytest.importorskip("micrograd.nn")
    random.seed(1337)
    theirs = [p.data for p in micro.MLP(3, [4, 4, 1]).parameters()]
    random.seed(1337)
    ours = MLP(3, [4, 4, 1]).parameters()
    assert [p.data for p in ours] == theirs
    assert len(ours) == 3 * 4 + 4 + 4 * 4 + 4 + 4 + 1  # the count the docstring gives
