"""``capqueue new``: write a new variant's skeleton, in a model's idiom, to fill in."""

import os

from harness import scaffold

NAME = "new"
HELP = "write a variant skeleton to fill in"
DESCRIPTION = ("Write a new variant's file in a model's own idiom: its queue, its workers, the "
               "I/O wait, shutdown and failure handling in place, and a docstring with the "
               "sections a reader expects. One line is left to write, the hand-off, marked FILL "
               "IN; then `capqueue conform NAME` says whether the variant keeps the contract.")


def arguments(parser):
    parser.add_argument("name", metavar="NAME",
                        help="the new variant's name; its file is NAME.py")
    parser.add_argument("--model", required=True, choices=list(scaffold.SKELETONS),
                        help="the concurrency model whose idiom the skeleton is written in")
    parser.add_argument("--to", metavar="FOLDER", help="write NAME.py into FOLDER (default: the "
                        "variants folder, where every command finds it by name)")


def run(args):
    path, line = scaffold.write(args.name, args.model, args.to)
    if path.is_relative_to(os.getcwd()):
        path = path.relative_to(os.getcwd())
    found_by_name = args.to is None
    then = (f"capqueue conform {args.name}" if found_by_name
            else f"capqueue conform --variant-path {path}")
    print(f"wrote {path}: a {args.model} variant but for its hand-off, line {line}, marked "
          f"{scaffold.MARK}")
    print("write that line (its comment shows the model's usual way), make the docstring say "
          f"what the variant does, then run:\n  {then}")
    return 0
