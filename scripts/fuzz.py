#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Coverage-guided fuzzing of atomics with atheris (libFuzzer for Python).

    python scripts/fuzz.py --seconds 600 [--corpus DIR] [--findings DIR]
                           [-- extra libFuzzer flags]

Each fuzz input is decoded into a short program: a few atomics (owned,
or views over a bytearray, an mmap, an array, read-only memory or bytes, at
offsets the input picks, aligned or not; or a bad buffer), then a sequence
of (object, operation, arguments) with arguments of every type: ints of
any size, objects with __index__, floats, None, strings, bytes-likes of any
length, released memoryviews, MemoryOrder members and plain ints in their
place, keyword arguments right and wrong. Every call is judged against the
model of tests/model.py and the README's bad-input table:

* a call that must work must return what the model says and leave every
  value (and every byte of every buffer) as the model says;
* a call with bad input must raise one of the documented exceptions for
  that input (TypeError, ValueError, OverflowError, BufferError,
  atomics.exc.*) and change nothing.

Anything else is a *finding*: recorded (first input per kind, as hex) in
the findings directory and counted, and fuzzing goes on. A crash of the
interpreter is a *crash*: libFuzzer writes the input to the findings
directory and this script restarts the fuzzer until the time is up. At the
end it prints executions, coverage, findings and crashes.

The atomics imported are whatever `import atomics` finds (PYTHONPATH=. for
the in-place build); the fuzzer runs in a child process (`--worker`) so
that its statistics and crashes can be collected. Needs `pip install
atheris pytest` (atheris: CPython 3.8-3.11 wheels; pytest for
tests/utils.py).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# ================================================================ parent ==


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=600,
                   help="total fuzzing time (default 600)")
    p.add_argument("--corpus", help="corpus directory (kept and grown; "
                   "default: a temporary one)")
    p.add_argument("--findings", help="where findings and crash inputs go "
                   "(default: a temporary directory, printed at the end)")
    p.add_argument("--max-len", type=int, default=512,
                   help="longest input libFuzzer makes (default 512)")
    p.add_argument("--quiet", action="store_true",
                   help="no progress lines while fuzzing")
    p.add_argument("--log", help="also append libFuzzer's own output here")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--repro", metavar="HEX_OR_FILE",
                   help="run one input (hex string or file) verbosely")
    p.add_argument("libfuzzer", nargs="*", help="extra libFuzzer flags "
                   "(after --)")
    return p.parse_args(argv)


STATUS = re.compile(r"^#(\d+)\s+(\w+)\s+(?:cov: (\d+) ft: (\d+) )?corp: "
                    r"(\d+)/\S+.*?exec/s: (\d+)(?: rss: (\d+)Mb)?")
DONE = re.compile(r"^Done (\d+) runs in (\d+) second")
ARTIFACT = re.compile(r"Test unit written to (\S+)")


def run_parent(args):
    findings = args.findings or tempfile.mkdtemp(prefix="atomics-fuzz-")
    corpus = args.corpus or tempfile.mkdtemp(prefix="atomics-corpus-")
    os.makedirs(findings, exist_ok=True)
    os.makedirs(corpus, exist_ok=True)
    start = time.monotonic()
    deadline = start + args.seconds
    total_runs, crashes, restarts = 0, [], 0
    cov = ft = corp = rss = 0
    last_print = start
    while True:
        left = deadline - time.monotonic()
        if left < 1:
            break
        cmd = [sys.executable, os.path.abspath(__file__), "--worker",
               "--findings", findings, "--", corpus,
               f"-max_total_time={int(left)}", f"-max_len={args.max_len}",
               f"-artifact_prefix={os.path.join(findings, '')}",
               "-print_final_stats=1", "-print_pcs=0"] + args.libfuzzer
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True,
                                errors="replace")
        runs_this = 0
        tail = []
        log = open(args.log, "a") if args.log else None
        for line in proc.stdout:
            tail = (tail + [line])[-60:]
            if log:
                log.write(line)
            m = STATUS.match(line)
            if m:
                runs_this = int(m.group(1))
                cov, ft = int(m.group(3) or 0), int(m.group(4) or 0)
                corp = int(m.group(5))
                rss = max(rss, int(m.group(7) or 0))
                now = time.monotonic()
                if not args.quiet and now - last_print >= 30:
                    last_print = now
                    print(f"[{now - start:6.0f}s] execs {total_runs + runs_this}"
                          f"  cov {cov}  ft {ft}  corpus {corp}  "
                          f"exec/s {m.group(6)}  findings "
                          f"{len(read_findings(findings))}", flush=True)
                continue
            m = DONE.match(line)
            if m:
                runs_this = int(m.group(1))
                continue
            m = ARTIFACT.search(line)
            if m:
                crashes.append(m.group(1))
        code = proc.wait()
        if log:
            log.close()
        total_runs += runs_this
        if code != 0:
            if not any(a in "".join(tail) for a in crashes):
                crashes.append(f"(exit status {code}, no artifact)")
            print("---- fuzzer stopped with a crash; its last output:",
                  file=sys.stderr)
            sys.stderr.write("".join(tail))
            restarts += 1
            continue
        break
    elapsed = time.monotonic() - start
    found = read_findings(findings)
    print()
    print(f"atomics fuzzing: {elapsed:.0f} s, {total_runs} executions "
          f"({total_runs / max(elapsed, 1e-9):.0f}/s), "
          + (f"coverage {cov} edges / {ft} features"
             if cov else "no coverage feedback (sanitizer runtime?)")
          + f", corpus {corp} inputs ({corpus}), peak RSS {rss} MB, "
          f"{restarts} restart(s)")
    print(f"crashes: {len(crashes)}" + "".join(f"\n  {c}" for c in crashes))
    print(f"findings: {len(found)} distinct ({findings})")
    for sig, info in sorted(found.items()):
        print(f"  [{info['count']}x] {sig}\n      {info['detail']}\n"
              f"      repro: python scripts/fuzz.py --repro {info['input']}")
    return 1 if crashes or found else 0


def read_findings(directory):
    """{signature: {detail, input, count}} from the worker's log."""
    found = {}
    path = os.path.join(directory, "findings.jsonl")
    try:
        with open(path) as f:
            lines = f.readlines()
    except FileNotFoundError:
        return found
    for line in lines:
        try:
            rec = json.loads(line)
        except ValueError:
            continue  # a line cut short by a crash
        entry = found.setdefault(rec["signature"], dict(rec, count=0))
        entry["count"] += rec.get("count", 1)
    return found

# ================================================================ worker ==
#
# Everything below runs in the fuzzing child (and in --repro).

# set by setup_worker(), from the package and the test suite: the oracle
# the test suite's fuzzer judges with too (tests/oracle.py), its model, and
# the argument objects (tests/utils.py)
atomics = oracle = Model = MO = NotAnOrder = EXC = ops_of = None
HasIndex = BadIndex = MyInt = Subject = None
COMMON = ARITH = None


class Finding(Exception):
    """The package did something it must not (setup_worker makes this
    tests/oracle.py's Wrong, which the oracle raises)."""


class Released:
    """Marker for a released memoryview (made fresh for each use)."""


def setup_worker():
    global atomics, oracle, Model, MO, NotAnOrder, EXC, ops_of, Finding
    global HasIndex, BadIndex, MyInt, Subject, COMMON, ARITH, ACTIONS
    import enum
    try:
        import atheris
        with atheris.instrument_imports(include=["atomics"]):
            import atomics as _atomics
    except ImportError:
        atheris = None
        import atomics as _atomics
    import atomics.exc  # noqa: F401
    atomics = _atomics
    # appended, so that the atomics imported above stays the one used
    sys.path.append(ROOT)
    from atomics._ops import ops_of as _ops_of
    from tests import model, oracle as _oracle, utils
    oracle, Model, ops_of, Finding = (_oracle, model.Model, _ops_of,
                                      _oracle.Wrong)
    HasIndex, BadIndex, MyInt = utils.HasIndex, utils.BadIndex, utils.MyInt
    Subject = _subject_class(oracle.Subject)
    # the operations, from the package's op table (through tests/utils.py)
    COMMON, ARITH = list(utils.COMMON_OPS), list(utils.ARITH_OPS)
    ACTIONS = COMMON + ARITH + SPECIALS
    MO = atomics.MemoryOrder

    class _NotAnOrder(enum.IntEnum):
        RELAXED = 0
        SEQ_CST = 5

    NotAnOrder = _NotAnOrder
    EXC = atomics.exc
    return atheris


SPECIALS = ["wait", "notify_one", "notify_all", "int", "bytes", "str",
            "props", "exit", "reenter", "release", "copy", "pickle"]
ACTIONS = None  # (the operations, then SPECIALS: set by setup_worker())
WIDTH_CHOICES = [1, 2, 4, 8, 16, 0, 3, 5, 6, 12, 32, -1, 2**64, 1.5, None]


def supported_widths(readonly):
    native = sys.modules["atomics._native"]
    return {w for w in (1, 2, 4, 8, 16) if native.ops_mask(w, readonly)}


def address(buf):
    import ctypes
    mv = memoryview(buf).cast("B")
    try:
        arr = (ctypes.c_char * mv.nbytes).from_buffer(mv)
        addr = ctypes.addressof(arr)
        del arr
        return addr
    finally:
        mv.release()


def _subject_class(base):
    """oracle.Subject, made with the fuzzer's arguments and shown with
    where its memory came from."""

    class Obj(base):
        def __init__(self, handle, family, width, readonly, integral,
                     signed, shadow, offset, ctx=None, buffer_name="owned",
                     length=None):
            super().__init__(handle, family, width, readonly, integral,
                             signed, shadow, offset, length=length, ctx=ctx)
            self.buffer_name = buffer_name

        @property
        def h(self):
            return self.obj

        def __repr__(self):
            shape = "" if self.length is None else f"[{self.length}]"
            return (f"{self.family}{self.width}{shape}@{self.buffer_name}"
                    f"{'(ro)' if self.readonly else ''}"
                    f"{'(released)' if self.released else ''}")

    return Obj


class Program:
    """Decodes one fuzz input and runs it."""

    MAX_OBJECTS = 4
    MAX_STEPS = 24

    def __init__(self, fdp, buffers, verbose=False):
        self.fdp = fdp
        self.buffers = buffers  # name -> (object, shadow)
        self.objs = []
        self.keep = []  # memoryviews to release at the end
        self.verbose = verbose

    def log(self, *parts):
        if self.verbose:
            print(*parts)

    # -- decoding helpers ------------------------------------------------

    def pick(self, seq):
        return seq[self.fdp.ConsumeIntInRange(0, len(seq) - 1)]

    def draw_int(self):
        how = self.fdp.ConsumeIntInRange(0, 3)
        if how == 0:
            return self.fdp.ConsumeIntInRange(-300, 300)
        if how == 1:
            return self.fdp.ConsumeInt(self.fdp.ConsumeIntInRange(1, 17))
        if how == 2:
            return self.pick([0, 1, -1, 2**7, 2**8, 2**15, 2**16, 2**31,
                              2**32, 2**63, 2**64, 2**127, 2**128, 2**200,
                              -2**7 - 1, -2**63 - 1, -2**127 - 1, -2**200])
        return self.fdp.ConsumeInt(1)

    def draw_value(self, obj):
        """An argument of any kind, biased towards useful ones for obj."""
        tag = self.fdp.ConsumeIntInRange(0, 23)
        fam = obj.family if obj else "INT"
        width = obj.width if obj else 4
        if tag <= 2:  # a valid operand of obj's type
            if fam == "BYTES":
                data = self.fdp.ConsumeBytes(width)
                return data + bytes(width - len(data))
            if fam == "ANY":
                return 0
            m = Model(fam, width)
            return self.fdp.ConsumeIntInRange(m.min, m.max)
        if tag == 3 and obj and fam != "ANY":
            return self.pick(Model(fam, width).edge_values())
        if tag == 4 and obj and fam != "ANY" and not obj.released:
            return obj.model().value  # the current value
        if tag == 5:
            return self.draw_int()
        if tag == 6:
            return HasIndex(self.draw_int())
        if tag == 7:
            return MyInt(self.draw_int())
        if tag == 8:
            return self.fdp.ConsumeBool()
        if tag == 9:
            return self.pick([1.5, 0.0, float("nan"), 1e300])
        if tag == 10:
            return self.pick([None, "", "ab", [1], (), object(), 1j,
                              BadIndex()])
        if tag in (11, 12, 13, 14):
            n = self.fdp.ConsumeIntInRange(0, 20) if tag != 11 else width
            data = self.fdp.ConsumeBytes(n)
            data += bytes(n - len(data))
            if tag in (11, 12):
                return data
            if tag == 13:
                return bytearray(data)
            return memoryview(data)
        if tag == 15:
            return Released()
        if tag == 16:
            import array
            code = self.pick(["B", "h", "i", "q"])
            n = self.fdp.ConsumeIntInRange(0, 4)
            return array.array(code, [0] * n)
        if tag in (17, 18, 19):
            return self.pick(list(MO))
        if tag == 20:
            return self.pick([0, 2, 3, 4, 5, -1, 2**70, True,
                              NotAnOrder.SEQ_CST, "SEQ_CST"])
        if tag == 21:  # a bit index
            return self.fdp.ConsumeIntInRange(-2, 8 * width + 1)
        if tag == 22:
            return self.pick([0, 7, 8 * width - 1, 8 * width])
        return BadIndex()

    @staticmethod
    def materialize(value):
        if isinstance(value, Released):
            mv = memoryview(bytearray(8))
            mv.release()
            return mv
        return value

    def draw_index(self, obj):
        tag = self.fdp.ConsumeIntInRange(0, 7)
        n = obj.length
        if tag <= 3:
            return self.fdp.ConsumeIntInRange(-n - 1, n)
        if tag == 4:
            return HasIndex(self.fdp.ConsumeIntInRange(-n - 1, n))
        if tag == 5:
            return self.pick([2**63, 2**64, -2**200, True])
        return self.draw_value(obj)

    # -- running ------------------------------------------------------------

    def run(self):
        n_objs = self.fdp.ConsumeIntInRange(1, self.MAX_OBJECTS)
        for _ in range(n_objs):
            self.create()
        steps = 0
        while self.objs and steps < self.MAX_STEPS and \
                self.fdp.remaining_bytes():
            steps += 1
            obj = self.pick(self.objs)
            action = self.pick(ACTIONS)
            self.step(obj, action)
            self.check_all(f"after {action} on {obj!r}")

    def finish(self):
        """Release every context and memoryview; the buffers must then be
        free of exports again."""
        for obj in self.objs:
            if obj.ctx is not None:
                obj.ctx.__exit__()
        self.objs = []
        for mv in reversed(self.keep):
            try:
                mv.release()
            except BufferError as exc:
                raise Finding("export not given back",
                              f"memoryview still exported after every "
                              f"context was released: {exc}") from None
        self.keep = []
        if sys.implementation.name == "cpython":
            ba = self.buffers["bytearray"][0]
            try:
                ba.append(0)
            except BufferError:
                raise Finding("export not given back",
                              "bytearray still locked after every context "
                              "was released") from None
            del ba[-1]

    def create(self):
        fdp = self.fdp
        fam = self.pick(["INT", "UINT", "BYTES", "INT", "UINT", "BYTES",
                         "INTEGRAL", "ANY"])
        signed, integral = fdp.ConsumeBool(), fdp.ConsumeBool()
        source = self.pick(["owned", "owned", "class", "shared", "bytearray",
                            "bytearray", "mmap", "array", "ro_mmap",
                            "readonly", "bytes", "strided", "released",
                            "not_buffer", "bad_atype", "atomicarray",
                            "atomicarray", "arrayview", "arrayview"])
        width = self.pick(WIDTH_CHOICES[:5] * 3 + WIDTH_CHOICES)
        kwargs = {}
        atype = getattr(atomics, fam)
        if fam == "INTEGRAL":
            kwargs = {"is_signed": signed}
            family, is_integral, is_signed = ("INT" if signed else "UINT",
                                              True, signed)
        elif fam == "ANY":
            kwargs = {"is_integral": integral, "is_signed": signed}
            family, is_integral, is_signed = "ANY", integral, signed
        else:
            family, is_integral, is_signed = (fam, fam != "BYTES",
                                              fam == "INT")
        if fdp.ConsumeIntInRange(0, 15) == 0:
            kwargs.pop(next(iter(kwargs), None), None)  # a missing keyword
        if source in ("owned", "class", "shared"):
            self.create_owned(source, family, fam, atype, width, kwargs,
                              is_integral, is_signed)
        elif source == "atomicarray":
            self.create_array(family, fam, atype, width, kwargs)
        elif source == "arrayview":
            self.create_array_view(family, fam, atype, width, kwargs)
        else:
            self.create_view(source, family, atype, width, kwargs,
                             is_integral, is_signed)

    def expect(self, errors, fn, what, detail=""):
        """fn() must raise one of `errors` (a documented rejection).
        `what` names the kind of call (the finding's signature), `detail`
        the call itself."""
        names = sorted(e.__name__ for e in errors)
        try:
            result = fn()
        except tuple(errors):
            return None
        except Exception as exc:  # noqa: BLE001 - judged here
            raise Finding(f"{what}: {type(exc).__name__} instead of {names}",
                          f"{detail} -> {type(exc).__name__}: {exc}"
                          ) from None
        raise Finding(f"{what}: no exception (expected {names})",
                      f"{detail} -> returned {result!r}")

    def must_work(self, fn, what, detail=""):
        try:
            return fn()
        except Exception as exc:  # noqa: BLE001 - judged here
            raise Finding(f"{what}: raised {type(exc).__name__}",
                          f"{detail} -> {type(exc).__name__}: {exc}"
                          ) from None

    def create_owned(self, source, family, fam, atype, width, kwargs,
                     is_integral, is_signed):
        from atomics import base
        cls = {"INT": base.AtomicInt, "UINT": base.AtomicUint,
               "BYTES": base.AtomicBytes, "INTEGRAL": base.AtomicIntegral,
               "ANY": base.Atomic}[fam]
        if source in ("owned", "shared"):
            make = lambda: atomics.atomic(  # noqa: E731
                width=width, atype=atype, shared=source == "shared",
                **kwargs)
        else:
            make = lambda: cls(width=width, **kwargs)  # noqa
        needed = {"INTEGRAL": 1, "ANY": 2}.get(fam, 0)
        what = f"{source}({fam})"
        detail = f"{source}({fam}, width={width!r}, {kwargs})"
        errors = set()
        if len(kwargs) < needed:
            errors.add(TypeError)  # a required keyword is missing
        if not isinstance(width, int) or isinstance(width, bool):
            errors.add(TypeError)
        elif width < 0:
            errors |= {ValueError, OverflowError}
        elif width >= 2**64:
            errors.add(OverflowError)
        elif width not in supported_widths(False):
            errors.add(EXC.UnsupportedWidthException)
        if errors:
            self.expect(errors, make, what, detail)
            return
        handle = self.must_work(make, what, detail)
        if type(handle) is not cls:
            raise Finding(f"{what}: wrong class", f"{detail}: "
                          f"{type(handle)!r}")
        obj = Subject(handle, family, width, False, is_integral, is_signed,
                  bytearray(width), 0, buffer_name=source)
        obj.shared = source == "shared"
        self.objs.append(obj)
        self.check_props(obj)
        self.log("created", obj)

    @staticmethod
    def width_errors(width):
        if not isinstance(width, int) or isinstance(width, bool):
            return {TypeError}
        if width < 0:
            return {ValueError, OverflowError}
        if width >= 2**64:
            return {OverflowError}
        if width not in supported_widths(False):
            return {EXC.UnsupportedWidthException}
        return set()

    def create_array(self, family, fam, atype, width, kwargs):
        length = self.pick([0, 1, 2, 3, 5, -1, 2**64, 1.5])
        shared = self.fdp.ConsumeIntInRange(0, 7) == 0
        make = lambda: atomics.atomicarray(  # noqa: E731
            length, width, atype, shared=shared, **kwargs)
        what = "atomicarray()"
        detail = f"atomicarray({length!r}, {width!r}, {fam}, {kwargs})"
        errors = self.width_errors(width)
        if fam == "INTEGRAL" and "is_signed" not in kwargs:
            errors.add(TypeError)
        if fam == "ANY" and len(kwargs) < 2:
            errors.add(TypeError)
        if not isinstance(length, int):
            errors.add(TypeError)
        elif length < 0:
            errors.add(ValueError)
        elif length >= 2**63:
            errors |= {OverflowError, MemoryError}
        if errors:
            self.expect(errors, make, what, detail)
            return
        handle = self.must_work(make, what, detail)
        if fam == "ANY":
            return  # an array of ANY has properties only
        obj = Subject(handle, family, width, False, family != "BYTES",
                  family == "INT", bytearray(width * length), 0,
                  buffer_name="atomicarray", length=length)
        obj.shared = shared
        self.objs.append(obj)
        self.check_props(obj)
        self.log("created", obj)

    def create_array_view(self, family, fam, atype, width, kwargs):
        fdp = self.fdp
        name = self.pick(["bytearray", "mmap", "array", "ro_mmap"])
        backing, shadow = self.buffers[name]
        offset = fdp.ConsumeIntInRange(0, 64)
        nbytes = fdp.ConsumeIntInRange(0, 70)
        readonly = name == "ro_mmap" or fdp.ConsumeIntInRange(0, 3) == 0
        mem = memoryview(backing)
        self.keep.append(mem)
        flat = mem.cast("B") if mem.format != "B" else mem
        if flat is not mem:
            self.keep.append(flat)
        buf = flat[offset:offset + nbytes]
        self.keep.append(buf)
        addr = offset if name == "ro_mmap" else (
            address(buf) if buf.nbytes else None)
        if readonly and name != "ro_mmap":
            buf = buf.toreadonly()
            self.keep.append(buf)
        nbytes = buf.nbytes
        make = lambda: atomics.atomicarrayview(  # noqa: E731
            buffer=buf, width=width, atype=atype, **kwargs)
        what = "atomicarrayview()"
        detail = (f"atomicarrayview({name}[{offset}:+{nbytes}], "
                  f"width={width!r}, {fam}, {kwargs})")
        errors = self.width_errors(width)
        if fam == "ANY" or (fam == "INTEGRAL" and "is_signed" not in kwargs):
            errors.add(TypeError)
        if not errors and readonly and \
                width not in supported_widths(True):
            errors.add(EXC.UnsupportedWidthException)
        if not errors:
            if nbytes % width:
                errors.add(ValueError)
            if addr is not None and \
                    addr % atomics.Alignment(width).recommended:
                errors.add(EXC.AlignmentError)
        if errors:
            self.expect(errors, make, what, detail)
            return
        if addr is None:  # empty: nothing to align, on any address
            try:
                ctx = make()
            except EXC.AlignmentError:
                return
        else:
            ctx = self.must_work(make, what, detail)
        handle = self.must_work(ctx.__enter__, what + ".__enter__", detail)
        obj = Subject(handle, family, width, readonly, family != "BYTES",
                  family == "INT", shadow, offset, ctx, name,
                  length=nbytes // width)
        self.objs.append(obj)
        self.check_props(obj)
        self.log("created", obj)

    def create_view(self, source, family, atype, width, kwargs,
                    is_integral, is_signed):
        fdp = self.fdp
        what = f"atomicview({source}, {family}, {kwargs})"
        needed = {"INTEGRAL": 1, "ANY": 2}.get(
            "INTEGRAL" if atype is atomics.INTEGRAL else
            "ANY" if atype is atomics.ANY else "", 0)
        if source == "not_buffer":
            buf = self.pick([None, 1, "abcd", 1.5, [0] * 8])
            self.expect([TypeError], lambda: atomics.atomicview(
                buffer=buf, atype=atype, **kwargs), what)
            return
        if source == "bad_atype":
            bad = self.pick([int, None, "INT", 3, MO])
            self.expect([TypeError], lambda: atomics.atomicview(
                buffer=bytearray(8), atype=bad), what)
            return
        if source == "released":
            self.expect([ValueError] + ([TypeError] if len(kwargs) < needed
                                        else []),
                        lambda: atomics.atomicview(
                            buffer=self.materialize(Released()), atype=atype,
                            **kwargs), what)
            return
        if not isinstance(width, int) or isinstance(width, bool) or \
                not 0 <= width <= 64:
            width = 8
        offset = fdp.ConsumeIntInRange(0, 64)
        shadow = None
        addr = None
        if source == "bytes":
            data = fdp.ConsumeBytes(width)
            data += bytes(width - len(data))
            buf, readonly, shadow, offset = data, True, bytearray(data), 0
        else:
            name = {"strided": "bytearray", "readonly": "bytearray"}.get(
                source, source)
            backing, shadow = self.buffers[name]
            mem = memoryview(backing)
            self.keep.append(mem)
            flat = mem.cast("B") if mem.format != "B" else mem
            if flat is not mem:
                self.keep.append(flat)
            if source == "strided":
                buf = flat[offset:offset + 2 * width:2]
            else:
                buf = flat[offset:offset + width]
            self.keep.append(buf)
            readonly = name == "ro_mmap" or source == "readonly"
            if buf.nbytes and not readonly:
                addr = address(buf) if source != "strided" else None
            elif name == "ro_mmap":
                addr = offset  # page-aligned mapping
            elif buf.nbytes:
                addr = address(flat[offset:offset + width])
            if source == "readonly":
                buf = buf.toreadonly()
                self.keep.append(buf)
            width = buf.nbytes
        make = lambda: atomics.atomicview(buffer=buf, atype=atype,  # noqa
                                          **kwargs)
        what = f"atomicview({source})"
        detail = (f"atomicview({source}[{offset}:+{width}], {family}, "
                  f"{kwargs})")
        errors = set()
        if len(kwargs) < needed:
            errors.add(TypeError)
        if not getattr(buf, "c_contiguous", True):
            errors.add(BufferError)
        if width not in supported_widths(readonly):
            errors.add(EXC.UnsupportedWidthException)
        elif addr is not None and \
                addr % atomics.Alignment(width).recommended:
            errors.add(EXC.AlignmentError)
        if errors:
            self.expect(errors, make, what, detail)
            return
        if addr is None and source == "bytes":
            try:
                ctx = make()
            except EXC.AlignmentError:
                return  # a bytes object at an address we cannot know
            except Exception as exc:  # noqa: BLE001
                raise Finding(f"{what}: raised {type(exc).__name__}",
                              f"{detail} -> {exc}") from None
        else:
            ctx = self.must_work(make, what, detail)
        handle = self.must_work(ctx.__enter__, what + ".__enter__", detail)
        obj = Subject(handle, family, width, readonly, is_integral, is_signed,
                  shadow, offset, ctx, source)
        self.objs.append(obj)
        self.check_props(obj)
        self.log("created", obj)

    # -- checks ----------------------------------------------------------

    def check_props(self, obj):
        oracle.check_properties(obj)

    def check_all(self, when):
        oracle.check_values(self.objs, when)
        for name, (backing, shadow) in self.buffers.items():
            if name == "ro_mmap":
                continue
            raw = (backing.tobytes() if name == "array" else
                   backing[:] if name == "mmap" else bytes(backing))
            if raw != shadow:
                diff = [i for i in range(len(raw)) if raw[i] != shadow[i]]
                raise Finding("memory differs from the model",
                              f"{name} bytes {diff[:8]} {when}")

    # -- one step ------------------------------------------------------------

    def step(self, obj, action):
        h = obj.h
        fam = obj.family
        if action in SPECIALS:
            return self.special(obj, action)
        label = f"operation on {fam}{'(ro)' if obj.readonly else ''}" \
                f"{'(released)' if obj.released else ''}"
        if fam == "ANY" or (fam == "BYTES" and action in ARITH):
            if hasattr(h, action):
                raise Finding(f"{fam} has {action}", repr(obj))
            return
        op = ops_of(obj.kind())[action]
        names, orders = list(op.operands), list(op.orders)
        params = names + orders
        # how many positionally, which by keyword (mostly right)
        shape = self.fdp.ConsumeIntInRange(0, 9)
        if shape <= 5:
            n_pos = len(names) + min(shape, len(orders)) \
                if shape < 3 else len(names)
            kw_names = [] if shape < 3 else self.pick(
                [orders, orders[:1], orders[1:], []])
        else:
            n_pos = self.fdp.ConsumeIntInRange(0, len(params) + 1)
            kw_names = self.pick([[], ["bogus"], ["order"],
                                  ["success", "failure"], ["succ", "fail"],
                                  names[:1], orders])
        args = [self.materialize(self.draw_value(obj))
                for _ in range(n_pos)]
        kwargs = {k: self.materialize(self.draw_value(obj))
                  for k in kw_names}
        element, index_errors, index = 0, set(), []
        if obj.length is not None:  # the element's index comes first
            if self.fdp.ConsumeIntInRange(0, 15) == 0:
                # left out: no positional argument at all
                index_errors.add(TypeError)
                args = []
            else:
                index = [self.materialize(self.draw_index(obj))]
                element, index_errors = oracle.classify_element(obj,
                                                                index[0])
        call = oracle.expect_call(obj, action, args, kwargs, index_errors)
        method = getattr(h, action)
        detail = f"{obj!r}.{action}(*{index + args!r}, **{kwargs!r})"
        self.log(f"{detail} errors="
                 f"{sorted(e.__name__ for e in call.errors)}")
        if call.errors:
            self.expect(call.errors,
                        lambda: method(*index, *args, **kwargs), label,
                        detail)
            return
        got = self.must_work(lambda: method(*index, *args, **kwargs), label,
                             detail)
        oracle.judge(obj, action, call, got, element, detail)

    def special(self, obj, action):
        h = obj.h
        fam = obj.family
        label = f"{action} on {fam}{'(released)' if obj.released else ''}"
        # an array's wait/notify take the element's index first
        index, index_errors, element = [], set(), 0
        if obj.length is not None:
            label = "array " + label
            if action in ("int", "bytes"):
                conv = int if action == "int" else bytes
                self.expect([TypeError], lambda: conv(h), label)
                return
            if action in ("wait", "notify_one", "notify_all") and \
                    fam != "ANY":
                index = [self.materialize(self.draw_index(obj))]
                element, index_errors = oracle.classify_element(obj,
                                                                index[0])
        released = {ValueError} if obj.released else set()
        if action == "wait":
            if fam == "ANY":
                if hasattr(h, "wait"):
                    raise Finding("an ANY object has wait", repr(obj))
                return
            old = self.materialize(self.draw_value(obj))
            timeout = self.pick([0, 0, 0, -1, 0.0005])
            val, errs = oracle.classify(obj, "old", old)
            errs = errs | index_errors | released
            if errs:
                self.expect(errs, lambda: h.wait(*index, old, timeout=timeout),
                            label)
                return
            got = self.must_work(lambda: h.wait(*index, old, timeout=timeout),
                                 label)
            if got is not (val != obj.model(element).value):
                raise Finding("wait() result wrong", f"{got!r}")
        elif action in ("notify_one", "notify_all"):
            if fam == "ANY":
                return
            fn = getattr(h, action)
            if released or index_errors:
                self.expect(released | index_errors, lambda: fn(*index), label)
            elif self.must_work(lambda: fn(*index), label) is not None:
                raise Finding(f"{action} returned a value", label)
        elif action == "int":
            if obj.released and fam in ("INT", "UINT"):
                self.expect([ValueError], lambda: int(h), label)
            elif fam in ("INT", "UINT"):
                if self.must_work(lambda: int(h), label) != \
                        obj.model().value:
                    raise Finding("int() differs from the model", label)
            else:
                self.expect([TypeError], lambda: int(h), label)
        elif action == "bytes":
            if obj.released and fam == "BYTES":
                self.expect([ValueError], lambda: bytes(h), label)
            elif fam == "BYTES":
                if self.must_work(lambda: bytes(h), label) != \
                        obj.model().value:
                    raise Finding("bytes() differs from the model", label)
            else:
                self.expect([TypeError], lambda: bytes(h), label)
        elif action == "str":
            if obj.released:
                self.expect([ValueError], lambda: str(h), label)
            else:
                text = self.must_work(lambda: str(h), label)
                if obj.length is not None:
                    if f"(length={obj.length}, width={obj.width}" not in text:
                        raise Finding("array str() without its shape", text)
                elif fam != "ANY" and f"value={obj.model().value!r}" \
                        not in text:
                    raise Finding("str() without the value", text)
            self.must_work(lambda: repr(h), label)
        elif action == "props":
            if obj.released:
                for prop in ("width", "readonly", "ops_supported"):
                    self.expect([ValueError], lambda: getattr(h, prop),
                                label)
            else:
                self.check_props(obj)
        elif action == "exit":
            if obj.ctx is not None:
                self.must_work(obj.ctx.__exit__, label)
                obj.released = True
        elif action == "reenter":
            if obj.ctx is not None:
                self.expect([ValueError], obj.ctx.__enter__, label)
        elif action == "release":
            if obj.ctx is not None:
                if obj.released:
                    self.must_work(obj.ctx.release, label)
                else:
                    self.expect([ValueError], obj.ctx.release, label)
        elif action == "copy":
            import copy
            if not obj.shared:
                self.expect([TypeError], lambda: copy.copy(h), label)
        elif action == "pickle":
            import pickle
            if not obj.shared:
                self.expect([TypeError], lambda: pickle.dumps(h), label)
                return
            twin = self.must_work(lambda: pickle.loads(pickle.dumps(h)),
                                  label)
            if type(twin) is not type(h):
                raise Finding("unpickled shared atomic of another class",
                              f"{obj!r}: {type(twin)!r}")
            for i in ([] if fam == "ANY" else obj.elements()):
                got = self.must_work(lambda: twin.load() if i is None
                                     else twin.load(i), label)
                if got != obj.model(i or 0).value:
                    raise Finding("unpickled shared atomic sees other "
                                  "memory", f"{obj!r}[{i}]: {got!r}")


PATTERN = bytes((37 * i + 11) & 0xFF for i in range(256))


class Harness:
    """State kept across inputs: the buffers, and the findings log."""

    def __init__(self, findings_dir, verbose=False):
        import array
        import mmap
        self.verbose = verbose
        self.findings_dir = findings_dir
        self.seen = {}
        self.pending_counts = {}
        self.last_flush = time.monotonic()
        self.buffers = {
            "bytearray": bytearray(256),
            "mmap": mmap.mmap(-1, mmap.PAGESIZE),
            "array": array.array("Q", bytes(256)),
            "ro_mmap": mmap.mmap(-1, mmap.PAGESIZE, access=mmap.ACCESS_READ),
        }

    def reset(self, fill):
        """Fresh contents (and shadows) for every buffer."""
        out = {}
        for name, backing in self.buffers.items():
            if name == "ro_mmap":
                out[name] = (backing, bytearray(len(backing)))
                continue
            size = backing.nbytes if hasattr(backing, "nbytes") else \
                len(backing) if name != "array" else len(backing) * 8
            pattern = PATTERN[fill:] + PATTERN[:fill]
            content = pattern * (size // 256) + pattern[:size % 256]
            if name == "array":
                mv = memoryview(backing)
                flat = mv.cast("B")
                flat[:] = content
                flat.release()
                mv.release()
            else:
                backing[:len(content)] = content
            out[name] = (backing, bytearray(content))
        return out

    def test_one_input(self, data, atheris):
        fdp = atheris.FuzzedDataProvider(data)
        program = Program(fdp, self.reset(fdp.ConsumeIntInRange(0, 255)),
                          self.verbose)
        try:
            try:
                program.run()
            finally:
                program.finish()
        except Finding as f:
            if self.verbose:
                raise
            self.record(f, data)
        if time.monotonic() - self.last_flush > 5:
            self.flush()

    def record(self, finding, data):
        sig = finding.signature
        if sig not in self.seen:
            self.seen[sig] = 1
            self.write({"signature": sig, "detail": finding.detail,
                        "input": data.hex(), "count": 1})
        else:
            self.pending_counts[sig] = self.pending_counts.get(sig, 0) + 1

    def flush(self):
        for sig, n in self.pending_counts.items():
            self.write({"signature": sig, "detail": "", "input": "",
                        "count": n})
        self.pending_counts.clear()
        self.last_flush = time.monotonic()

    def write(self, record):
        if not self.findings_dir:
            print("FINDING:", record)
            return
        with open(os.path.join(self.findings_dir, "findings.jsonl"),
                  "a") as f:
            f.write(json.dumps(record) + "\n")


def instrument_harness(atheris):
    """Coverage of the harness's own decisions (which operation, which
    kind of argument, which expected outcome) guides libFuzzer too."""
    for cls in (Program, Harness):
        for name, fn in list(vars(cls).items()):
            if callable(fn) and hasattr(fn, "__code__"):
                setattr(cls, name, atheris.instrument_func(fn))
            elif isinstance(fn, staticmethod):
                setattr(cls, name, staticmethod(
                    atheris.instrument_func(fn.__func__)))


def run_worker(args):
    atheris = setup_worker()
    if atheris is not None and not args.repro:
        instrument_harness(atheris)
    harness = Harness(args.findings)
    if args.repro:
        data = (open(args.repro, "rb").read() if os.path.exists(args.repro)
                else bytes.fromhex(args.repro))
        if atheris is None:
            sys.exit("--repro decodes inputs with atheris: pip install it")
        harness.verbose = True
        try:
            harness.test_one_input(data, atheris)
        except Finding as f:
            print(f"FINDING: {f.signature}\n  {f.detail}")
            return 1
        print("no finding")
        return 0
    if atheris is None:
        sys.exit("atheris is not installed: python -m pip install atheris")
    import atexit
    atexit.register(harness.flush)

    def test_one_input(data):
        harness.test_one_input(data, atheris)

    atheris.Setup([sys.argv[0]] + args.libfuzzer, test_one_input)
    atheris.Fuzz()


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.worker or args.repro:
        return run_worker(args)
    return run_parent(args)


if __name__ == "__main__":
    sys.exit(main())
