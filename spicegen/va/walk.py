"""Walks over a checked module's analog code: every statement and expression of the analog
block and of the analog functions, in source order, for the passes that look before they
lower (which branches are voltage sources, which ports are probed, ...)."""

from __future__ import annotations

from collections.abc import Iterator

from spicegen.va import ast
from spicegen.va.check import CheckedModule


def expressions(expr: ast.Expr | None) -> Iterator[ast.Expr]:
    """``expr`` and every expression inside it, outermost first."""
    pending = [expr]
    while pending:
        current = pending.pop()
        if current is None:
            continue
        yield current
        match current:
            case ast.Call() | ast.SystemCall():
                pending.extend(reversed(current.args))
            case ast.Unary():
                pending.append(current.operand)
            case ast.Binary():
                pending.extend((current.right, current.left))
            case ast.Ternary():
                pending.extend((current.otherwise, current.then, current.condition))
            case ast.Index():
                pending.append(current.index)
            case ast.ArrayLiteral():
                pending.extend(reversed(current.items))


def statements(statement: ast.Statement | None) -> Iterator[ast.Statement]:
    """``statement`` and every statement nested in it, in source order."""
    match statement:
        case None:
            return
        case ast.Block():
            yield statement
            for child in statement.statements:
                yield from statements(child)
        case ast.If():
            yield statement
            yield from statements(statement.then)
            yield from statements(statement.otherwise)
        case ast.Case():
            yield statement
            for item in statement.items:
                yield from statements(item.statement)
        case ast.For():
            yield statement
            yield from statements(statement.init)
            yield from statements(statement.step)
            yield from statements(statement.body)
        case ast.While():
            yield statement
            yield from statements(statement.body)
        case ast.EventControl():
            yield statement
            yield from statements(statement.body)
        case _:
            yield statement


def own_expressions(statement: ast.Statement) -> tuple[ast.Expr, ...]:
    """The expressions a statement holds itself (not those of nested statements)."""
    match statement:
        case ast.Contribution():
            return (statement.value,)
        case ast.Assign():
            return (statement.value,)
        case ast.IndexedAssign():
            return (statement.index, statement.value)
        case ast.SystemTask():
            return statement.args
        case ast.CallStatement():
            return (statement.call,)
        case ast.EventControl():
            return statement.events
        case ast.If():
            return (statement.condition,)
        case ast.Case():
            return (statement.subject, *(v for item in statement.items for v in item.values))
        case ast.For() | ast.While():
            return (statement.condition,)
        case _:
            return ()


def analog_code(checked: CheckedModule) -> Iterator[ast.Statement]:
    """Every statement of the analog block, then of each analog function."""
    for statement in checked.module.analog:
        yield from statements(statement)
    for function in checked.functions.values():
        for statement in function.body:
            yield from statements(statement)


def contributions(checked: CheckedModule) -> Iterator[ast.Contribution]:
    """Every contribution statement, in source order."""
    for statement in analog_code(checked):
        if isinstance(statement, ast.Contribution):
            yield statement


def calls(checked: CheckedModule) -> Iterator[ast.Call | ast.SystemCall]:
    """Every function call of the analog code, in source order."""
    for statement in analog_code(checked):
        for expr in own_expressions(statement):
            for inner in expressions(expr):
                if isinstance(inner, ast.Call | ast.SystemCall):
                    yield inner
