"""Variants are found with no edit elsewhere: in the package, through entry points, by path."""

import sys
import textwrap

import pytest

import variants
from harness.registry import VariantError, discover, find, load_path, select

GOOD = '''
"""A variant written for this test: sequential, under another name."""

MODEL = "test"


def run(sources, sinks, capacity, io):
    for source in sources:
        for item in source:
            sinks[0](item)
'''


def write(directory, name, text):
    path = directory / f"{name}.py"
    path.write_text(textwrap.dedent(text))
    return path


def test_every_variant_of_the_study_is_registered_and_usable():
    found = {v.name: v for v in discover()}
    for name in ("sequential", "generators", "threads", "asyncio", "trio"):
        assert found[name].ok, found[name].problem
        assert found[name].description and found[name].model != "?"
    assert next(iter(found)) == "sequential"  # the baseline leads every listing


def test_a_module_dropped_into_the_package_is_found(tmp_path, monkeypatch):
    write(tmp_path, "dropped_in", GOOD)
    monkeypatch.setattr(variants, "__path__", [*variants.__path__, str(tmp_path)])
    found = {v.name: v for v in discover()}
    assert found["dropped_in"].ok
    assert found["dropped_in"].model == "test"
    sys.modules.pop("variants.dropped_in", None)


def test_a_broken_module_in_the_package_is_listed_as_broken(tmp_path, monkeypatch):
    write(tmp_path, "half_written", "def run(sources, sinks capacity): pass\n")
    write(tmp_path, "needs_a_library", "import no_such_library_here\n")
    monkeypatch.setattr(variants, "__path__", [*variants.__path__, str(tmp_path)])
    found = {v.name: v for v in discover()}
    assert found["half_written"].status == "broken"
    assert "does not import" in found["half_written"].problem
    assert found["needs_a_library"].status == "unavailable"
    assert "needs no_such_library_here" in found["needs_a_library"].problem
    assert found["threads"].ok  # and the others are still there


def test_an_installed_entry_point_is_found(tmp_path, monkeypatch):
    write(tmp_path, "plugin_variant", GOOD)
    info = tmp_path / "capqueue_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: capqueue-plugin\n"
                                   "Version: 1.0\n")
    (info / "entry_points.txt").write_text("[capqueue.variants]\nplugged = plugin_variant\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    found = {v.name: v for v in discover()}
    assert found["plugged"].ok
    assert found["plugged"].origin == "entry point plugin_variant"
    assert find("plugged").ok


def test_variant_path_loads_a_file_from_anywhere(tmp_path):
    variant = load_path(write(tmp_path, "mine", GOOD))
    assert (variant.name, variant.model, variant.ok) == ("mine", "test", True)
    assert [v.name for v in select([], [str(tmp_path / "mine.py")])] == ["mine"]


def test_unknown_names_get_a_suggestion():
    with pytest.raises(VariantError, match="no variant named 'thread'; did you mean 'threads'"):
        select(["thread"])


def test_a_file_that_would_shadow_a_variant_is_refused(tmp_path):
    with pytest.raises(VariantError, match="already is"):
        discover([str(write(tmp_path, "threads", GOOD))])


def test_a_missing_program_makes_a_variant_unavailable(tmp_path, monkeypatch):
    write(tmp_path, "needs_a_program", GOOD + 'PROGRAMS = ("capqueue-no-such-program",)\n')
    write(tmp_path, "bad_programs", GOOD + 'PROGRAMS = "redis-server"\n')
    monkeypatch.setattr(variants, "__path__", [*variants.__path__, str(tmp_path)])
    found = {v.name: v for v in discover()}
    assert (found["needs_a_program"].status, found["needs_a_program"].problem) == (
        "unavailable", "needs the program capqueue-no-such-program, which is not on PATH")
    assert found["bad_programs"].status == "broken"
    assert "PROGRAMS is not a tuple" in found["bad_programs"].problem


SERVED = '''
"""A variant written for this test: it needs a service, and records what it was given."""

import contextlib

MODEL = "test"
EVENTS = []


@contextlib.contextmanager
def service():
    EVENTS.append("started")
    yield "the address"
    EVENTS.append("stopped")


def run(sources, sinks, capacity, io, service):
    EVENTS.append(f"run with {service}")
'''


def test_ready_runs_a_variant_inside_its_own_service(tmp_path):
    # A variant may still bring its own service(): entered around the runs, yielding the
    # address every run is given.
    variant = load_path(write(tmp_path, "served", SERVED))
    events = sys.modules["capqueue_variant_served"].EVENTS
    with variant.ready() as ready:
        ready.run([], [], 1, io=0.0)
        ready.run([], [], 1, io=0.0)
    assert events == ["started", "run with the address", "run with the address", "stopped"]
    assert ready.metadata == {}
    plain = load_path(write(tmp_path, "plain", GOOD))
    with plain.ready() as ready:
        assert ready.run is plain.run  # no service: the variant's own run, untouched


def test_a_service_whose_run_cannot_take_it_is_refused(tmp_path):
    text = SERVED.replace("def run(sources, sinks, capacity, io, service):",
                          "def run(sources, sinks, capacity, io):")
    with pytest.raises(VariantError, match=r"does not take \(sources, sinks, capacity, io, "
                                           r"service\)"):
        load_path(write(tmp_path, "unserved", text))
    named = GOOD + 'SERVICE = "redis"\n'  # its run takes no service either
    with pytest.raises(VariantError, match=r"does not take \(sources, sinks, capacity, io, "
                                           r"service\)"):
        load_path(write(tmp_path, "unnamed", named))


NAMED = GOOD.replace("def run(sources, sinks, capacity, io):",
                     "def run(sources, sinks, capacity, io, service):") + 'SERVICE = "redis"\n'


@pytest.mark.parametrize(("line", "problem"), [
    ('SERVICE = "postgres"', "does not follow the variant contract: its SERVICE 'postgres' is "
     "not a service the harness provides ('redis', 'ray'); a server of its own needs a service() "
     "instead"),
    ('SERVICE = ["redis"]', "does not follow the variant contract: its SERVICE ['redis'] is "
     "not a service the harness provides ('redis', 'ray'); a server of its own needs a service() "
     "instead"),
    ("def service(): pass", "does not follow the variant contract: it has both a SERVICE and "
     "a service(): name the harness's, or bring its own"),
])
def test_a_service_the_harness_cannot_give_is_refused(tmp_path, line, problem):
    text = NAMED.replace('SERVICE = "redis"\n', "") + line + "\n"
    if line.startswith("def"):
        text = NAMED + line + "\n"
    with pytest.raises(VariantError) as info:
        load_path(write(tmp_path, "misserved", text))
    assert str(info.value) == f"{tmp_path / 'misserved.py'} {problem}"


def test_a_named_service_decides_availability(tmp_path, monkeypatch):
    # Not the variant's PROGRAMS: the service's program, or the reader's own server.
    path = write(tmp_path, "named", NAMED)
    monkeypatch.delenv("CAPQUEUE_REDIS_URL", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no redis-server on it
    variant = load_path(path)
    assert (variant.status, variant.problem) == (
        "unavailable", "needs the program redis-server, which is not on PATH (or set "
        "CAPQUEUE_REDIS_URL to use a server of yours)")
    monkeypatch.setenv("CAPQUEUE_REDIS_URL", "redis://user:secret@broker.example:7000/3")
    variant = load_path(path)
    assert variant.ok
    assert variant.note == "redis: yours at broker.example:7000, from $CAPQUEUE_REDIS_URL"
    monkeypatch.setenv("CAPQUEUE_REDIS_URL", "broker.example:7000")
    variant = load_path(path)
    assert (variant.status, variant.problem) == (
        "unavailable", "CAPQUEUE_REDIS_URL is not a Redis URL: it should start with redis://, "
        "rediss:// or unix:// (redis://HOST:PORT/DB)")


def test_a_module_of_a_newer_python_is_named_whole(tmp_path, monkeypatch):
    write(tmp_path, "from_the_future", "import concurrent.no_such_module\n")
    monkeypatch.setattr(variants, "__path__", [*variants.__path__, str(tmp_path)])
    found = {v.name: v for v in discover()}
    version = ".".join(map(str, sys.version_info[:2]))
    assert found["from_the_future"].status == "unavailable"
    assert found["from_the_future"].problem == (
        f"needs concurrent.no_such_module, which Python {version} does not have")
