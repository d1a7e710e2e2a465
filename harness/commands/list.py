"""``capqueue list``: every variant, its model, and what it is or why it cannot run here."""

from harness.commands.common import add_common_options, show_load_errors
from harness.registry import discover

NAME = "list"
HELP = "list every variant with its model"
DESCRIPTION = "List every variant: its model and what it is, or why it cannot run here."


def arguments(parser):
    add_common_options(parser, NAME, check_options=False)


def run(args):
    found = discover(args.variant_path)
    width = max(len(v.name) for v in found)
    model_width = max(len(v.model) for v in found)
    for variant in found:
        text = variant.description if variant.ok else f"{variant.status}: {variant.problem}"
        text += f" ({variant.note})" if variant.note else ""  # the service, and how to give yours
        print(f"{variant.name:{width}}  {variant.model:{model_width}}  {text}")
    if args.debug:
        show_load_errors(found)
    return 0
