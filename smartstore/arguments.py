"""Command-line arguments for every command of the package, with a mistake reported in one line.

argparse's own `error()` prints the whole usage block and then the message; on a narrow terminal
that is a screen of options above the line that says what went wrong. Every command (`smartstore`,
`python -m smartstore.demo`, the tools) parses with `Parser` instead, so a wrong argument ends in
one line on stderr and status 2, as argparse's does, and the usage is one `--help` away.
"""

import argparse
from collections.abc import Callable
from typing import NoReturn


class Parser(argparse.ArgumentParser):
    """argparse, with a mistake reported in one line (usage is one `--help` away)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def whole_number(minimum: int) -> Callable[[str], int]:
    """An argument type: a whole number not below `minimum`, refused in words otherwise."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < minimum:
            raise argparse.ArgumentTypeError(f"must be a whole number from {minimum}, not {text!r}")
        return value

    return parse


def whole_numbers(minimum: int) -> Callable[[str], list[int]]:
    """An argument type: comma-separated whole numbers, each not below `minimum`."""
    one = whole_number(minimum)

    def parse(text: str) -> list[int]:
        return [one(part.strip()) for part in text.split(",")]

    return parse
