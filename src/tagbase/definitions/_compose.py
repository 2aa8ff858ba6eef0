"""Composition: calling ops inside a `@job`, `@graph` or `@pipeline` body builds a graph.

While a body is being composed, calling an op records a node and returns handles to its
outputs; passing a handle to another op wires a dependency. Outside a composition, calling an
op calls its function.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from tagbase._errors import DefinitionError, Problem
from tagbase.definitions._ops import RECORDING, OpDefinition


@dataclass(frozen=True, slots=True)
class OutputHandle:
    """One output of a node in a graph being composed."""

    node: str
    output: str

    def __iter__(self) -> Iterator[OutputHandle]:
        raise DefinitionError(
            [
                Problem(
                    f"output {self.output!r} of {self.node!r}",
                    "a step with one output returns one handle, which cannot be unpacked",
                    "annotate the step's return as tuple[A, B] to give it several outputs",
                )
            ]
        )


@dataclass(frozen=True, slots=True)
class Constant:
    """A plain value passed to an op in a composition (a pipeline parameter, say)."""

    value: Any


Binding = OutputHandle | Constant


@dataclass(frozen=True, slots=True)
class NodeInvocation:
    """One op of a graph, under a name unique in the graph, with its inputs bound."""

    name: str
    op: OpDefinition
    inputs: Mapping[str, Binding]

    @property
    def upstream(self) -> frozenset[str]:
        return frozenset(b.node for b in self.inputs.values() if isinstance(b, OutputHandle))


class Composition:
    """The nodes recorded while one body runs (mutable only while composing)."""

    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.nodes: list[NodeInvocation] = []
        self._counts: dict[str, int] = {}

    def invoke(
        self, op: OpDefinition, args: Sequence[Any], kwargs: Mapping[str, Any]
    ) -> OutputHandle | tuple[OutputHandle, ...]:
        name = self._unique(op.name)
        self.nodes.append(NodeInvocation(name, op, MappingProxyType(self._bind(op, args, kwargs))))
        handles = tuple(OutputHandle(name, output.name) for output in op.outputs)
        if len(handles) == 1:
            return handles[0]
        return handles

    def _unique(self, name: str) -> str:
        count = self._counts.get(name, 0) + 1
        self._counts[name] = count
        return name if count == 1 else f"{name}_{count}"

    def _bind(
        self, op: OpDefinition, args: Sequence[Any], kwargs: Mapping[str, Any]
    ) -> dict[str, Binding]:
        signature = inspect.Signature(
            [inspect.Parameter(i.name, inspect.Parameter.POSITIONAL_OR_KEYWORD) for i in op.inputs]
        )
        try:
            bound = signature.bind_partial(*args, **kwargs)
        except TypeError as error:
            raise _error(
                self.owner, op.name, str(error), "call it with its own parameters"
            ) from None
        bindings = {
            name: value if isinstance(value, OutputHandle) else Constant(value)
            for name, value in bound.arguments.items()
        }
        missing = [i.name for i in op.inputs if i.name not in bindings and not i.has_default]
        if missing:
            raise _error(
                self.owner,
                op.name,
                f"inputs {', '.join(missing)} are given no value",
                "pass the output of another op, or a value, for each input",
            )
        return bindings


def _error(owner: str, op: str, rule: str, fix: str) -> DefinitionError:
    return DefinitionError([Problem(f"{owner}: call of {op!r}", rule, fix)])


@contextmanager
def composing(owner: str) -> Iterator[Composition]:
    """While the block runs, calling an op records a node of the composition."""
    composition = Composition(owner)
    token = RECORDING.set(composition.invoke)
    try:
        yield composition
    finally:
        RECORDING.reset(token)


def compose(
    owner: str, body: Callable[..., Any], *args: Any, **kwargs: Any
) -> tuple[tuple[NodeInvocation, ...], Any]:
    """Run `body` in a fresh composition: its nodes and what it returned."""
    with composing(owner) as composition:
        returned = body(*args, **kwargs)
    return tuple(composition.nodes), returned


def handle_outputs(returned: Any) -> tuple[OutputHandle, ...]:
    """The handles a composed body returned: none, one, or a tuple of them."""
    if isinstance(returned, OutputHandle):
        return (returned,)
    if isinstance(returned, tuple) and all(isinstance(h, OutputHandle) for h in returned):
        return returned
    return ()
