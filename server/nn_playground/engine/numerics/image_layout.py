"""A branch's matrices raveled into one vector (`BranchLayout`), and optimizer moments cut
down to it and put back (`pick`, `put`): inside a branch, image_train's step is then a few
fused loops over a few thousand floats. Imports image_model only."""

from __future__ import annotations

import math
from typing import NamedTuple, TypeVar, cast

import jax
import jax.numpy as jnp
import numpy as np

from nn_playground.engine.numerics import image_model
from nn_playground.engine.numerics.image_model import Params

T = TypeVar("T")


class BranchLayout(NamedTuple):
    """Where each of a branch's matrices (image_model.used_fields) lies in its vector."""

    fields: tuple[str, ...]

    def shapes(self) -> list[tuple[int, ...]]:
        return [image_model.PARAM_SHAPES[Params._fields.index(f)] for f in self.fields]

    def flat(self, params: Params) -> jax.Array:
        return jnp.concatenate([getattr(params, f).reshape(-1) for f in self.fields])

    def params(self, base: Params, flat: jax.Array) -> Params:
        """`base` with the branch's matrices read from `flat`."""
        sizes = [math.prod(shape) for shape in self.shapes()]
        edges = np.cumsum([0, *sizes])
        found = {
            f: flat[a:b].reshape(shape)
            for f, a, b, shape in zip(
                self.fields, edges[:-1], edges[1:], self.shapes(), strict=True
            )
        }
        return base._replace(**found)


def _is_params(node: object) -> bool:
    return isinstance(node, Params)


def pick(tree: T, layout: BranchLayout) -> T:
    """`tree` (optimizer moments) with every Params in it cut down to the branch's vector."""

    def cut(node: object) -> object:
        return layout.flat(node) if isinstance(node, Params) else node

    return cast(T, jax.tree.map(cut, tree, is_leaf=_is_params))


def put(tree: T, picked: T, layout: BranchLayout) -> T:
    """`tree` with the parts `pick` took replaced by `picked` (and its other leaves too)."""

    def put_back(node: object, part: object) -> object:
        return layout.params(node, cast(jax.Array, part)) if isinstance(node, Params) else part

    return cast(T, jax.tree.map(put_back, tree, picked, is_leaf=_is_params))
