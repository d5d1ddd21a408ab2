"""A pure-Python model of one fixed-width atomic.

The state is the unsigned integer `bits` in [0, 2**(8*width)); INT values
are its two's complement reading, UINT values the number itself, BYTES values
its `width` bytes in native byte order (so the three agree on the same
memory). Every operation of README "Operations" is modelled, with
wraparound.
"""

import sys

from atomics._ops import ops_of

__all__ = ["Model"]

# The operations (which exist, what they take and return) from the
# package's op table; what they compute is written out here, once per
# computation: [is BYTES] -> {name: Op}
_OPS = (ops_of("INTEGRAL"), ops_of("BYTES"))

# Read-modify-write ops by OpType name without FETCH_: the new bits from
# the old ones (and the operand), before wrapping around to the width.
_MATH = {
    "OR": lambda old, x: old | x,
    "XOR": lambda old, x: old ^ x,
    "AND": lambda old, x: old & x,
    "NOT": lambda old: ~old,
    "ADD": lambda old, x: old + x,
    "SUB": lambda old, x: old - x,
    "INC": lambda old: old + 1,
    "DEC": lambda old: old - 1,
    "NEG": lambda old: -old,
}

# Bit tests: the new bits from the old ones and the tested bit's mask.
_BIT_OPS = {
    "BIT_TEST": lambda old, bit: old,
    "BIT_TEST_COMPL": lambda old, bit: old ^ bit,
    "BIT_TEST_SET": lambda old, bit: old | bit,
    "BIT_TEST_RESET": lambda old, bit: old & ~bit,
}


class Model:
    def __init__(self, kind, width, bits=0):
        assert kind in ("INT", "UINT", "BYTES")
        self.kind = kind
        self.width = width
        self.nbits = 8 * width
        self.mask = (1 << self.nbits) - 1
        self.bits = bits & self.mask

    # -- values ------------------------------------------------------------

    @property
    def min(self):
        return -(1 << (self.nbits - 1)) if self.kind == "INT" else 0

    @property
    def max(self):
        return ((1 << (self.nbits - 1)) - 1 if self.kind == "INT"
                else self.mask)

    def encode(self, value):
        """A user value -> its bits (OverflowError/ValueError like the
        package would raise for values a test passes on purpose)."""
        if self.kind == "BYTES":
            data = memoryview(value).tobytes()
            if len(data) != self.width:
                raise ValueError("length does not match width")
            return int.from_bytes(data, sys.byteorder)
        value = int(value)
        if not self.min <= value <= self.max:
            raise OverflowError(value)
        return value & self.mask

    def decode(self, bits):
        bits &= self.mask
        if self.kind == "BYTES":
            return bits.to_bytes(self.width, sys.byteorder)
        if self.kind == "INT" and bits >> (self.nbits - 1):
            return bits - (1 << self.nbits)
        return bits

    @property
    def value(self):
        return self.decode(self.bits)

    # -- operations ----------------------------------------------------------

    def apply(self, name, *args):
        """Run op `name` on the model; return what the atomic returns.
        cmpxchg returns a (success, expected) tuple."""
        op = _OPS[self.kind == "BYTES"].get(name)
        if op is None:
            raise AttributeError(name)
        old, sig = self.bits, op.signature
        if sig == "load":
            return self.decode(old)
        if sig in ("store", "exchange"):
            self.bits = self.encode(args[0])
            return self.decode(old) if sig == "exchange" else None
        if sig == "cmpxchg":
            expected, desired = self.encode(args[0]), self.encode(args[1])
            if expected == old:
                self.bits = desired
                return (True, self.decode(old))
            return (False, self.decode(old))
        if sig in ("test", "test_modify"):
            index = args[0]
            if not 0 <= index < self.nbits:
                raise ValueError("index")
            self.bits = _BIT_OPS[op.optype.name](old, 1 << index) & self.mask
            return bool(old >> index & 1)
        # read-modify-write: (fetch_)or/xor/and/not/add/sub/inc/dec/neg
        math = _MATH[op.optype.name.replace("FETCH_", "")]
        new = math(old, self.encode(args[0])) if op.operands else math(old)
        self.bits = new & self.mask
        return self.decode(old) if sig.startswith("fetch") else None

    # -- interesting values --------------------------------------------------

    def edge_values(self):
        """Boundary values of the type, as user values."""
        n = self.nbits
        bit_patterns = sorted({0, 1, 2, (1 << (n - 1)) - 1, 1 << (n - 1),
                               (1 << (n - 1)) + 1, self.mask - 1, self.mask,
                               0x5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A & self.mask})
        return [self.decode(b) for b in bit_patterns]

    def bit_indices(self):
        n = self.nbits
        return sorted({0, 1, 7, n // 2, n - 2, n - 1})
