"""Reading a tsquery as PostgreSQL prints it, into the ANDs and ORs of its terms."""

from __future__ import annotations

import re

# A tsquery as PostgreSQL prints it: quoted lexemes, maybe prefixes (:*), & | and brackets.
TSQUERY_TOKEN = re.compile(r"\s*(?:('(?:[^'\\]|''|\\.)*'(?::\*)?)(?![:\w])|([&|()]))")


def tsquery_tokens(text: str) -> list[str] | None:
    """The lexemes, operators and brackets of a tsquery; None if it holds anything else."""
    tokens = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = TSQUERY_TOKEN.match(text, position)
        if not match:
            return None
        tokens.append(match.group(1) or match.group(2))
        position = match.end()
    return tokens


def parse_tsquery(text: str):
    """A tree of ("term", tsquery), ("and", [...]) and ("or", [...]); None for anything else.

    Negation, phrases and weights are left to PostgreSQL (None).
    """
    tokens = tsquery_tokens(text)
    if not tokens:
        return None

    def expression(i: int, operator: str):
        # "or" binds loosest; each level gathers its operands.
        children = []
        while True:
            if operator == "or":
                node, i = expression(i, "and")
            elif tokens[i] == "(":
                node, i = expression(i + 1, "or")
                if i >= len(tokens) or tokens[i] != ")":
                    raise ValueError("unclosed bracket")
                i += 1
            elif tokens[i] in "&|)":
                raise ValueError("operator without an operand")
            else:
                node, i = ("term", tokens[i]), i + 1
            children.append(node)
            joiner = {"or": "|", "and": "&"}.get(operator)
            if joiner and i < len(tokens) and tokens[i] == joiner:
                i += 1
                continue
            break
        if len(children) == 1:
            return children[0], i
        return (operator, children), i

    try:
        tree, end = expression(0, "or")
    except (ValueError, IndexError):
        return None
    return tree if end == len(tokens) else None
