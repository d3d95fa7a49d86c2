"""Finite games of perfect information as trees: subgame-perfect equilibria by backward induction (with ties),
and the induced normal form.

A tree is nested ``Node``s; leaves carry one payoff per player. A player's pure strategy chooses an action at
each of its decision nodes (identified by the history of actions that leads there).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import cast

import numpy as np

from geoshift.errors import InputError

History = tuple[str, ...]


@dataclass(frozen=True)
class Node:
    """A decision node (``player`` chooses among ``children``) or a leaf (``payoffs``, one per player)."""

    player: str | None = None
    children: Mapping[str, Node] = field(default_factory=dict)
    payoffs: Mapping[str, float] | None = None

    @property
    def is_leaf(self) -> bool:
        return self.payoffs is not None


@dataclass(frozen=True)
class SubgamePerfect:
    strategies: dict[str, dict[History, str]]  # player -> decision node -> action
    path: History  # the actions played
    payoffs: dict[str, float]
    ties: tuple[History, ...]  # decision nodes where the mover was indifferent between best actions


def validate(root: Node, players: Sequence[str]) -> None:
    def walk(node: Node, history: History) -> None:
        where = "/".join(history) or "root"
        if node.is_leaf:
            assert node.payoffs is not None
            missing = [p for p in players if p not in node.payoffs]
            if missing:
                raise InputError(f"outcome {where}: no payoff for player(s) {', '.join(missing)}")
            bad = [p for p in players if not np.isfinite(node.payoffs[p])]
            if bad:
                raise InputError(f"outcome {where}: payoff of {bad[0]} is not a finite number")
            return
        if node.player not in players:
            raise InputError(f"node {where}: mover {node.player!r} is not a player ({', '.join(players)})")
        if not node.children:
            raise InputError(f"node {where}: {node.player} has no action")
        for action, child in node.children.items():
            walk(child, (*history, action))

    walk(root, ())


def subgame_perfect(root: Node, players: Sequence[str], *, tol: float = 1e-12) -> list[SubgamePerfect]:
    """Every subgame-perfect equilibrium in pure strategies (one per resolution of ties)."""
    validate(root, players)

    def solve(node: Node, history: History) -> list[tuple[dict[str, float], dict[History, str], History,
                                                          tuple[History, ...]]]:
        if node.is_leaf:
            assert node.payoffs is not None
            return [(dict(node.payoffs), {}, (), ())]
        assert node.player is not None
        options = {a: solve(child, (*history, a)) for a, child in node.children.items()}
        # every combination of the children's equilibria (their choices off the path matter for strategies)
        results = []
        keys = list(options)
        for combo in itertools.product(*(options[a] for a in keys)):
            values = {a: c[0][node.player] for a, c in zip(keys, combo, strict=True)}
            best = max(values.values())
            winners = [a for a in keys if values[a] >= best - tol]
            choices: dict[History, str] = {}
            ties: tuple[History, ...] = ()
            for c in combo:
                choices.update(c[1])
                ties += c[3]
            if len(winners) > 1:
                ties += (history,)
            for a in winners:
                chosen = combo[keys.index(a)]
                results.append((chosen[0], {**choices, history: a}, (a, *chosen[2]), ties))
        return results

    out = []
    for payoffs, choices, path, ties in solve(root, ()):
        strategies: dict[str, dict[History, str]] = {p: {} for p in players}
        for history, action in choices.items():
            strategies[_mover(root, history)][history] = action
        out.append(SubgamePerfect(strategies, path, payoffs, ties))
    return out


def _mover(root: Node, history: History) -> str:
    node = root
    for action in history:
        node = node.children[action]
    assert node.player is not None
    return node.player


def decision_nodes(root: Node) -> dict[str, list[tuple[History, tuple[str, ...]]]]:
    """Per player, its decision nodes (histories) and the actions available there, in a fixed order."""
    out: dict[str, list[tuple[History, tuple[str, ...]]]] = {}

    def walk(node: Node, history: History) -> None:
        if node.is_leaf:
            return
        assert node.player is not None
        out.setdefault(node.player, []).append((history, tuple(node.children)))
        for action, child in node.children.items():
            walk(child, (*history, action))

    walk(root, ())
    return out


def play(root: Node, strategies: Mapping[str, Mapping[History, str]]) -> tuple[History, dict[str, float]]:
    node, history = root, cast(History, ())
    while not node.is_leaf:
        assert node.player is not None
        action = strategies[node.player][history]
        node, history = node.children[action], (*history, action)
    assert node.payoffs is not None
    return history, dict(node.payoffs)


@dataclass(frozen=True, eq=False)
class NormalForm:
    players: tuple[str, ...]
    strategies: tuple[tuple[dict[History, str], ...], ...]  # per player, its pure strategies
    payoffs: np.ndarray  # shape (n_1, ..., n_k, k)


def normal_form(root: Node, players: Sequence[str]) -> NormalForm:
    validate(root, players)
    nodes = decision_nodes(root)
    per_player = []
    for p in players:
        entries = nodes.get(p, [])
        combos = itertools.product(*(actions for _, actions in entries))
        per_player.append(tuple({h: a for (h, _), a in zip(entries, combo, strict=True)} for combo in combos))
    shape = tuple(len(s) for s in per_player)
    payoffs = np.zeros((*shape, len(players)))
    for index in itertools.product(*(range(n) for n in shape)):
        profile = {p: per_player[k][index[k]] for k, p in enumerate(players)}
        _, values = play(root, profile)
        payoffs[index] = [values[p] for p in players]
    return NormalForm(tuple(players), tuple(per_player), payoffs)


def pure_nash(game: NormalForm, *, tol: float = 1e-12) -> list[tuple[int, ...]]:
    """Every pure-strategy Nash equilibrium of the normal form (exact enumeration)."""
    k = len(game.players)
    best = np.ones(game.payoffs.shape[:-1], dtype=bool)
    for i in range(k):
        u = game.payoffs[..., i]
        best &= u >= u.max(axis=i, keepdims=True) - tol
    return [tuple(int(v) for v in idx) for idx in np.argwhere(best)]


def best_response_gap(game: NormalForm, mixed: Sequence[np.ndarray]) -> float:
    """Largest gain any player gets by deviating to a pure strategy (0 at a Nash equilibrium)."""
    k = len(game.players)
    gap = 0.0
    for i in range(k):
        contracted = game.payoffs[..., i]
        for j in reversed(range(k)):  # contract every other player's mixed strategy, last axis first
            if j != i:
                contracted = np.tensordot(contracted, mixed[j], axes=([j], [0]))
        values = np.asarray(contracted)  # payoff of each pure strategy of player i
        gap = max(gap, float(values.max() - values @ mixed[i]))
    return gap
