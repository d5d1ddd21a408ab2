"""Suite-wide settings: hypothesis profile, a guard that the package under
test is this project's (installed, as tox does, or built in place), and
the `isolated` marker (see below)."""

import atexit
import os
import shutil
import sys
import tempfile

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Worker processes started with "spawn"/"forkserver" import their target from
# `tests.utils`: make the project root importable for them (multiprocessing
# hands sys.path to its children). Appended, so that an installed atomics
# still wins over the source tree's.
if REPO not in sys.path:
    sys.path.append(REPO)

# Hypothesis keeps its caches in a temporary directory (not the repository)
# and uses no example database.
_HYPOTHESIS_HOME = tempfile.mkdtemp(prefix="atomics-hypothesis-")
atexit.register(shutil.rmtree, _HYPOTHESIS_HOME, ignore_errors=True)
set_hypothesis_home_dir(_HYPOTHESIS_HOME)
settings.register_profile("atomics", database=None, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("atomics")


def pytest_report_header(config):
    import atomics
    return [f"atomics under test: {os.path.dirname(atomics.__file__)} "
            f"({sys.implementation.name} {sys.version.split()[0]})"]


@pytest.fixture(autouse=True, scope="session")
def _our_atomics():
    """Never test the reference atomics 1.0.2 by accident: ours is the one
    with the HPy binary."""
    import atomics
    assert os.path.isfile(os.path.join(os.path.dirname(atomics.__file__),
                                       "_native.hpy0.so")), atomics.__file__


# --------------------------------------------------------- HPy debug mode --
#
# With HPY=debug in the environment, atomics/_load.py loads the binary in
# HPy's debug mode, which aborts on any use of an invalid handle; then every
# test also runs under a leak check (tests/hpy_debug.py), so a handle left
# open by the extension fails the test that leaked it.

HPY_DEBUG = os.environ.get("HPY") == "debug"


@pytest.fixture(autouse=True)
def _no_leaked_handles():
    if not HPY_DEBUG:
        yield
        return
    from .hpy_debug import LeakCheck
    with LeakCheck():
        yield


# ------------------------------------------------------------ isolation --
#
# A test marked `isolated` runs in a forked child process: if the package
# crashes the interpreter (a segfault is a package bug), only that test
# fails, with the signal named, instead of the whole run dying.

def pytest_configure(config):
    config.addinivalue_line(
        "markers", "isolated: run in a forked child so that an interpreter "
        "crash fails only this test")
    config.addinivalue_line(
        "markers", "threads(timeout=300): a test running atomics on several "
        "threads; on GraalPy it runs in a child interpreter that is killed "
        "after `timeout` seconds (see _run_in_child)")


# ------------------------------------------------------ thread watchdog --
#
# On GraalPy a thread calling into its HPy layer the wrong way once wedged
# the whole JVM (stack overflows, RecursionError in the main thread, hangs
# that never end: see README, Interpreters). A test marked `threads` runs
# there in a child GraalPy (no fork there), which this process waits for
# with a timeout: a hang fails that test, not the run. The test function is
# called with its parametrized arguments only (pickled), so such tests take
# no fixtures.

_CHILD = """\
import pickle, sys
sys.path.append(sys.argv[1])  # an installed atomics still wins
sys.setswitchinterval(1e-5)  # switch often, so that races would show
module = __import__(sys.argv[2], fromlist=["_"])
getattr(module, sys.argv[3])(**pickle.loads(bytes.fromhex(sys.argv[4])))
print("child passed")
"""


def _run_in_child(pyfuncitem, timeout):
    import pickle
    import subprocess
    func = pyfuncitem.obj
    kwargs = {name: pyfuncitem.funcargs[name]
              for name in pyfuncitem._fixtureinfo.argnames}
    cmd = [sys.executable, "-c", _CHILD, REPO, func.__module__,
           func.__name__, pickle.dumps(kwargs).hex()]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"hung: the child interpreter running this test was "
                    f"killed after {timeout} s\n{exc.stderr or ''}",
                    pytrace=False)
    if proc.returncode != 0 or "child passed" not in proc.stdout:
        pytest.fail(f"failed in the child interpreter (exit status "
                    f"{proc.returncode}):\n{proc.stderr[-6000:]}",
                    pytrace=False)


def _read_all(fd):
    chunks = []
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    threads = pyfuncitem.get_closest_marker("threads")
    if threads is not None and sys.implementation.name == "graalpy":
        _run_in_child(pyfuncitem, threads.kwargs.get("timeout", 300))
        return True
    if pyfuncitem.get_closest_marker("isolated") is None \
            or not hasattr(os, "fork"):
        return None
    import signal
    import traceback
    funcargs = {name: pyfuncitem.funcargs[name]
                for name in pyfuncitem._fixtureinfo.argnames}
    read_fd, write_fd = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_fd)
        code, text = 0, ""
        try:
            pyfuncitem.obj(**funcargs)
        except pytest.skip.Exception as exc:
            code, text = 2, str(exc)
        except BaseException:  # noqa: BLE001 - reported to the parent
            code, text = 1, traceback.format_exc()
        try:
            data = text.encode("utf-8", "replace")
            while data:
                data = data[os.write(write_fd, data):]
        finally:
            os._exit(code)
    os.close(write_fd)
    text = _read_all(read_fd)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = str(sig)
        pytest.fail(f"the interpreter crashed ({name}) running this test "
                    f"(isolated in a child process)", pytrace=False)
    code = os.WEXITSTATUS(status)
    if code == 2:
        pytest.skip(text)
    if code != 0:
        pytest.fail(f"failed in the isolated child process:\n{text}",
                    pytrace=False)
    return True
