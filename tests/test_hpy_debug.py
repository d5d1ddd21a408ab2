"""HPy's debug mode (HPY=debug, see tox env hpy-debug): the leak check that
conftest.py wraps around every test really catches a leaked handle."""

import pytest

import atomics  # noqa: F401  (loads atomics._native)

from .conftest import HPY_DEBUG


@pytest.mark.skipif(not HPY_DEBUG, reason="needs HPY=debug (tox -e hpy-debug)")
def test_leak_detector_catches_a_leaked_handle():
    from .hpy_debug import HandleLeak, LeakCheck

    with pytest.raises(HandleLeak) as info:
        with LeakCheck():
            atomics._native._leak_one_handle_for_tests()
    assert len(info.value.leaks) == 1
    # close it, or the per-test leak check would (rightly) fail this test
    info.value.leaks[0]._force_close()


@pytest.mark.skipif(not HPY_DEBUG, reason="needs HPY=debug (tox -e hpy-debug)")
def test_module_is_loaded_in_debug_mode():
    # the debug context wraps every handle; its _debug module sees ours
    from atomics._load import hpy_universal
    _debug = hpy_universal._debug
    generation = _debug.new_generation()
    a = atomics.atomic(width=4, atype=atomics.INT)
    a.inc()
    assert _debug.get_open_handles(generation) == []
    assert len(_debug.get_closed_handles(generation)) > 0
