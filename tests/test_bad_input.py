"""Every bad input we know of, and the one sentence it gets: exit status 2, no traceback.

Each row is (command line, what stderr must say). ``{tmp}`` is a scratch directory holding
the bad files made by ``bad_files``; ``{broken}`` is tests/broken/.
"""

import pytest

from conftest import BROKEN, capqueue

CASES = [
    # workload values
    ("check --items -1", "--items must be at least 0, not -1"),
    ("check --capacity 0", "--capacity must be at least 1, not 0"),
    ("check --producers 0", "--producers must be at least 1, not 0"),
    ("sweep --producers 0,10", "--producers must be at least 1, not 0"),
    ("check --consumers -2", "--consumers must be at least 1, not -2"),
    ("check --items abc", "argument --items: expected a whole number, not 'abc'"),
    ("check --capacity 2.5", "argument --capacity: expected a whole number, not '2.5'"),
    ("trace generators --items ten", "expected a whole number, not 'ten'"),
    ("run --items 0", "--items must be at least 1 to time anything per item, not 0"),
    ("compare --capacity -1", "--capacity must be at least 1, not -1"),
    ("check --io 1min", "argument --io: unknown unit 'min' in '1min'; use s, ms, us or ns"),
    ("check --cpu fast", "argument --cpu: expected a duration such as 1ms, 50us or 0.002 "
     "(seconds), not 'fast'"),
    ("check --io=-1ms", "--io must not be negative, not -1 ms"),
    ("check --cpu -0.5", "--cpu must not be negative, not -500 ms"),
    ("run --io 1..2ms", "argument --io: expected a duration such as 1ms"),
    ("check --io nan", "argument --io: expected a duration such as 1ms, 50us or 0.002"),
    ("sweep --producers 1,x", "argument --producers: expected a whole number, not 'x'"),
    ("sweep --capacity 10,0 --items 5", "--capacity must be at least 1, not 0"),
    ("sweep --io 1ms,2min", "argument --io: unknown unit 'min' in '2min'"),
    ("sweep --items 0,10", "--items must be at least 1 to time anything per item, not 0"),
    ("latency --items 0", "--items must be at least 1 to measure any item, not 0"),
    ("latency -p 0", "--processes must be at least 1, not 0"),
    ("latency -w -1", "--warmups must not be negative, not -1"),
    ("check --check-timeout 0", "expected a positive number of seconds, not 0"),
    ("check --check-timeout soon", "expected a number of seconds, not 'soon'"),
    # failure injection
    ("check --fail-at 3", "--fail-at and --fail-in go together"),
    ("check --fail-in sink", "--fail-at and --fail-in go together"),
    ("check --fail-in sink --fail-at 0", "--fail-at must name an item from 1 to 10,000"),
    ("check --fail-in disk --fail-at 3", "argument --fail-in: invalid choice: 'disk'"),
    # variant names and files
    ("check thread", "no variant named 'thread'; did you mean 'threads'?"),
    ("run asyncioo --items 5", "no variant named 'asyncioo'; did you mean 'asyncio'?"),
    ("trace nothing_like_it", "no variant named 'nothing_like_it' (capqueue list shows"),
    ("check --variant-path {tmp}/absent.py", "no variant file at {tmp}/absent.py"),
    ("check --variant-path {tmp}/notes.txt", "{tmp}/notes.txt is not a Python file (.py)"),
    ("check --variant-path {tmp}/syntax_error.py",
     "{tmp}/syntax_error.py does not import: invalid syntax at line 1"),
    ("check --variant-path {tmp}/raises_on_import.py",
     "{tmp}/raises_on_import.py raised RuntimeError on import: not today"),
    ("check --variant-path {tmp}/no_run.py",
     "{tmp}/no_run.py does not follow the variant contract: it has no run(sources, sinks, "
     "capacity, io) function"),
    ("check --variant-path {tmp}/wrong_signature.py",
     "its run() does not take (sources, sinks, capacity, io): io is the seconds each "
     "producer waits for I/O before each item"),
    ("check --variant-path {tmp}/old_contract.py", "its run() does not take (sources, sinks, "
     "capacity, io)"),
    ("check --variant-path {tmp}/no_model.py",
     "it has no MODEL string naming its concurrency model"),
    ("check --variant-path {tmp}/no_docstring.py", "it has no docstring to describe it"),
    ("check --variant-path {tmp}/threads.py", "would be variant 'threads', but "
     "variants/threads.py already is; rename the file"),
    ("check --variant-path {tmp}/async_run.py",
     "{tmp}/async_run.py does not follow the variant contract: its run() is an async def, so "
     "calling it only makes a coroutine: run must be a plain def that runs its event loop "
     "itself, e.g. asyncio.run(main(...))"),
    ("check --variant-path {tmp}/generator_run.py",
     "its run() is a generator function (it contains yield), so calling it runs nothing: move "
     "the yields into the workers and let run drive them to the end"),
    ("trace async_generator_run --variant-path {tmp}/async_generator_run.py",
     "its run() is an async generator function (async def with yield): run must be a plain "
     "def that does the whole job before it returns"),
    ("check --variant-path {tmp}/io_by_position.py", "its run() takes io only by position, "
     "but the harness calls run(sources, sinks, capacity, io=SECONDS)"),
    ("check --variant-path {tmp}/needs_say.py", "its run() requires say, which the harness "
     "passes only to trace a run: give it a default, say=None"),
    ("list --variant-path {tmp}/needs_more.py", "its run() requires 'extra', which the harness "
     "never passes: it calls run(sources, sinks, capacity, io=SECONDS)"),
    ("check missing_library --variant-path {tmp}/missing_library.py",
     "needs not_installed_anywhere"),
    # conform and new
    ("conform", "name a variant to conform, or give its file with --variant-path"),
    ("conform sequential --jobs 0", "--jobs must be at least 1, not 0"),
    ("conform --variant-path {tmp}/async_run.py", "its run() is an async def"),
    ("conform --variant-path {tmp}/needs_library.py", "variant 'needs_library' is unavailable: "
     "needs not_installed_anywhere"),
    ("new threads --model threads", "there is already a variant named 'threads' "
     "(variants/threads.py); choose another name"),
    ("new 9lives --model threads", "'9lives' cannot be a variant name: use letters, digits "
     "and _, not starting with _ or a digit"),
    ("new _hidden --model trio", "'_hidden' cannot be a variant name"),
    ("new fresh --model cobol", "argument --model: invalid choice: 'cobol'"),
    ("new fresh", "the following arguments are required: --model"),
    ("new fresh --model threads --to {tmp}/absent", "no folder at {tmp}/absent"),
    ("new syntax_error --model threads --to {tmp}", "{tmp}/syntax_error.py already exists; "
     "choose another name, or another folder with --to"),
    # results files
    ("report {tmp}/absent.json", "no results file at {tmp}/absent.json"),
    ("report {tmp}/empty.json", "{tmp}/empty.json is empty, not a pyperf results file"),
    ("report {tmp}/notes.txt", "{tmp}/notes.txt is not JSON (Expecting value at line 1)"),
    ("report {tmp}/list.json", "{tmp}/list.json is JSON but not a pyperf results file"),
    ("report {tmp}/other_pyperf.json", "{tmp}/other_pyperf.json holds no capqueue benchmarks"),
    ("report {tmp}/broken_pyperf.json", "{tmp}/broken_pyperf.json is not a valid pyperf "
     "results file"),
    ("report {tmp}/list.json {tmp}/empty.json", "{tmp}/list.json is JSON but not a pyperf"),
    ("run sequential --items 5 -o {tmp}/empty.json", "{tmp}/empty.json already exists; name "
     "a new file, or add to it with --append"),
    ("run sequential --items 5 --append {tmp}/notes.txt", "{tmp}/notes.txt is not JSON"),
    ("run sequential --items 5 --compare-to python3", "--compare-to is not supported here"),
    ("run sequential --items 5 --python {tmp}/notes.txt", "cannot import pyperf and capqueue's "
     "harness"),
    # the command line itself
    ("frobnicate", "invalid choice: 'frobnicate'"),
    ("check --itemz 5", "unrecognized arguments: --itemz"),
    ("trace", "the following arguments are required: VARIANT"),
    ("report", "the following arguments are required: FILE"),
]

FILES = {
    "notes.txt": "just some notes\n",
    "empty.json": "",
    "list.json": "[1, 2, 3]\n",
    "other_pyperf.json": '{"version": "1.0", "metadata": {}, "benchmarks": [{"metadata": '
                         '{"name": "x", "unit": "second"}, "runs": [{"values": [1.0]}]}]}',
    "broken_pyperf.json": '{"version": "1.0", "benchmarks": [{"runs": "nope"}]}',
    "syntax_error.py": "def run(sources, sinks capacity):\n",
    "raises_on_import.py": "raise RuntimeError('not today')\n",
    "no_run.py": '"""Has no run."""\nMODEL = "x"\n',
    "wrong_signature.py": '"""Takes too little."""\nMODEL = "x"\ndef run(sources):\n    pass\n',
    "no_model.py": '"""No model."""\ndef run(sources, sinks, capacity, io):\n    pass\n',
    "no_docstring.py": 'MODEL = "x"\ndef run(sources, sinks, capacity, io):\n    pass\n',
    "old_contract.py": '"""Written for the old contract."""\nMODEL = "x"\n'
                       'def run(sources, sinks, capacity):\n    pass\n',
    "threads.py": '"""Shadows a real one."""\nMODEL = "x"\ndef run(sources, sinks, capacity, io):\n'
                  '    pass\n',
    "async_run.py": '"""Async."""\nMODEL = "x"\nasync def run(sources, sinks, capacity, io):\n'
                    '    pass\n',
    "generator_run.py": '"""Yields."""\nMODEL = "x"\ndef run(sources, sinks, capacity, io):\n'
                        '    yield\n',
    "async_generator_run.py": '"""Async, yields."""\nMODEL = "x"\n'
                              'async def run(sources, sinks, capacity, io):\n    yield\n',
    "io_by_position.py": '"""Positional."""\nMODEL = "x"\n'
                         'def run(sources, sinks, capacity, io, /):\n    pass\n',
    "needs_say.py": '"""Must narrate."""\nMODEL = "x"\n'
                    'def run(sources, sinks, capacity, io, say):\n    pass\n',
    "needs_more.py": '"""Wants more."""\nMODEL = "x"\n'
                     'def run(sources, sinks, capacity, io, extra):\n    pass\n',
    "needs_library.py": "import not_installed_anywhere\n",
    "missing_library.py": "import not_installed_anywhere\n",
}


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bad")
    for name, text in FILES.items():
        (tmp / name).write_text(text)
    return tmp


@pytest.mark.parametrize("command, message", CASES, ids=[c for c, _ in CASES])
def test_bad_input_gets_one_sentence_and_status_2(bad_files, command, message):
    fill = {"tmp": bad_files, "broken": BROKEN}
    result = capqueue(*command.format(**fill).split())
    assert result.returncode == 2, result.stdout + result.stderr
    assert message.format(**fill) in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_debug_shows_the_variants_own_traceback_too(bad_files):
    result = capqueue("check", "--variant-path", bad_files / "raises_on_import.py", "--debug")
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert lines[1] == f'  File "{bad_files / "raises_on_import.py"}", line 1, in <module>'
    assert lines[-2:] == ["RuntimeError: not today", f"capqueue: {bad_files}/raises_on_import.py "
                          "raised RuntimeError on import: not today"]


def test_debug_shows_a_syntax_error_with_its_line_and_caret(bad_files):
    result = capqueue("check", "--variant-path", bad_files / "syntax_error.py", "--debug")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f'  File "{bad_files / "syntax_error.py"}", line 1',
        "    def run(sources, sinks capacity):",
        "                           ^^^^^^^^",
        "SyntaxError: invalid syntax",
        f"capqueue: {bad_files}/syntax_error.py does not import: invalid syntax at line 1"]
