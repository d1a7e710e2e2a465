"""``capqueue docs``: rewrite (or check) every generated block of the pages."""

from harness import docs

NAME = "docs"
HELP = "rewrite the generated tables, plots and quotes of the docs"
DESCRIPTION = ("Rewrite every generated block (between '<!-- capqueue: KIND ... -->' and "
               f"'{docs.END}') of README.md, results/README.md and docs/ from the committed "
               "results/ and variants/, leaving the prose untouched. What `make docs` runs. "
               "Kinds: " + ", ".join(docs.KINDS) + " (docs/extending.md says what each writes).")


def arguments(parser):
    parser.add_argument("pages", nargs="*", metavar="PAGE", help="only these pages (paths "
                        "from the top folder, such as docs/summary.md); default: every page")
    parser.add_argument("--check", action="store_true", help="write nothing; list the blocks "
                        "that differ from what regeneration gives, and exit 1 if any does")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")


def run(args):
    return 1 if docs.run(check=args.check, only=args.pages) and args.check else 0
