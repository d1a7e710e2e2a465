"""Command-line plumbing every command shares: a parser whose errors are one line, and the
exception for options that cannot work together."""

import argparse


class UsageError(Exception):
    """Options that cannot work together, or here; the message says why."""


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line and exit status 2, not a usage dump."""

    def error(self, message):
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def seconds(text):
    """argparse type: a positive number of seconds."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, not {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, not {text}")
    return value
