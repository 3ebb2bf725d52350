"""A small PromQL lexer: enough to list the metrics and labels an expression uses, to substitute Grafana template
variables, and to turn filtering comparisons into `bool` comparisons. It does not validate PromQL: Prometheus does
that when the test sends each expression to /api/v1/query."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`[^`]*`)
  | (?P<duration>\d+(?:ms|[smhdwy])(?:\d+(?:ms|[smhdwy]))*(?![A-Za-z0-9_:]))
  | (?P<number>0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<ident>[A-Za-z_:][A-Za-z0-9_:]*)
  | (?P<op>=~|!~|==|!=|>=|<=|[-+*/%^<>=,(){}\[\]@])
    """,
    re.VERBOSE,
)

COMPARISONS = {"==", "!=", ">", "<", ">=", "<="}
SET_OPERATORS = {"and", "or", "unless"}
GROUPING = {"by", "without", "on", "ignoring", "group_left", "group_right"}
OTHER_KEYWORDS = {"bool", "offset", "inf", "nan"}


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int
    end: int


@dataclass
class Selector:
    """One vector selector: `metric{label op "value", ...}` (metric may be empty for `{__name__=...}`)."""

    metric: str
    matchers: list[tuple[str, str, str]] = field(default_factory=list)  # (label, op, unquoted value)


@dataclass
class References:
    """What an expression refers to."""

    selectors: list[Selector] = field(default_factory=list)
    grouping_labels: set[str] = field(default_factory=set)


class PromQLSyntaxError(ValueError):
    pass


def tokenize(expr: str) -> list[Token]:
    """Splits an expression into tokens, dropping whitespace and comments."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(expr):
        match = _TOKEN.match(expr, pos)
        if not match:
            raise PromQLSyntaxError(f"unexpected character {expr[pos]!r} at offset {pos}")
        kind = match.lastgroup or ""
        if kind not in ("ws", "comment"):
            tokens.append(Token(kind, match.group(), match.start(), match.end()))
        pos = match.end()
    return tokens


def _unquote(text: str) -> str:
    if text.startswith("`"):
        return text[1:-1]
    return bytes(text[1:-1], "utf-8").decode("unicode_escape")


def references(expr: str) -> References:
    """Lists the selectors (metric + label matchers) and the labels of `by`/`on`/... clauses of an expression."""
    tokens = tokenize(expr)
    refs = References()
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if tok.text == "[":  # range or subquery: durations only
            while i < len(tokens) and tokens[i].text != "]":
                i += 1
        elif tok.text == "{":
            selector = Selector(metric="")
            i = _read_matchers(tokens, i, selector)
            refs.selectors.append(selector)
        elif tok.kind == "ident":
            word = tok.text
            if word in SET_OPERATORS or word.lower() in OTHER_KEYWORDS:
                if word == "offset" and nxt is not None:
                    i += 1
            elif word in GROUPING:
                if nxt is not None and nxt.text == "(":
                    i += 2
                    while i < len(tokens) and tokens[i].text != ")":
                        if tokens[i].kind == "ident":
                            refs.grouping_labels.add(tokens[i].text)
                        i += 1
            elif nxt is not None and (nxt.text == "(" or nxt.text in ("by", "without")):
                pass  # function, or aggregation (`sum by (x) (...)`)
            else:
                selector = Selector(metric=word)
                if nxt is not None and nxt.text == "{":
                    i = _read_matchers(tokens, i + 1, selector)
                refs.selectors.append(selector)
        i += 1
    return refs


def _read_matchers(tokens: list[Token], i: int, selector: Selector) -> int:
    """Reads `{a="x", b=~"y"}` starting at the `{` at index i; returns the index of the closing `}`."""
    i += 1
    while i < len(tokens) and tokens[i].text != "}":
        if tokens[i].kind == "ident" and i + 2 < len(tokens) and tokens[i + 2].kind == "string":
            selector.matchers.append((tokens[i].text, tokens[i + 1].text, _unquote(tokens[i + 2].text)))
            i += 3
        else:
            i += 1
    if i >= len(tokens):
        raise PromQLSyntaxError("unclosed '{'")
    return i


def with_bool_comparisons(expr: str) -> str:
    """Adds `bool` to every comparison outside label matchers: `x > 1` becomes `x > bool 1`.

    A filtering comparison returns no series when the condition is false, so an alert rule's expression is empty
    while all is well. With `bool` every series that the comparison would have tested is returned with the value
    0 or 1, so "no series" then means an operand selects nothing (a wrong metric or label), not a healthy system.
    Set operators (`and`, `or`, `unless`) and vector matching are kept, so the rest of the rule is still checked.
    """
    tokens = tokenize(expr)
    inserts: list[int] = []
    depth_brace = 0
    depth_bracket = 0
    for index, tok in enumerate(tokens):
        if tok.text == "{":
            depth_brace += 1
        elif tok.text == "}":
            depth_brace -= 1
        elif tok.text == "[":
            depth_bracket += 1
        elif tok.text == "]":
            depth_bracket -= 1
        elif tok.kind == "op" and tok.text in COMPARISONS and depth_brace == 0 and depth_bracket == 0:
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            if following is None or following.text != "bool":
                inserts.append(tok.end)
    out = expr
    for position in reversed(inserts):
        out = out[:position] + " bool" + out[position:]
    return out


_VARIABLE = re.compile(r"\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)\]\]|\$(\w+)")


def substitute_variables(expr: str, values: dict[str, str]) -> tuple[str, list[str]]:
    """Replaces Grafana template variables ($name, ${name}, ${name:fmt}, [[name]]); returns the text and the names
    that had no value."""
    unknown: list[str] = []

    def replace(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2) or match.group(3)
        if name in values:
            return values[name]
        unknown.append(name)
        return match.group(0)

    return _VARIABLE.sub(replace, expr), unknown


def grafana_regex_value(value: str) -> str:
    """The text Grafana puts inside `label=~"..."` for one selected value of a multi-value variable: the value with
    regex metacharacters escaped, the backslashes doubled for the PromQL string literal."""
    escaped = re.sub(r"([\\^$.|?*+()\[\]{}])", r"\\\1", value)
    return escaped.replace("\\", "\\\\")
