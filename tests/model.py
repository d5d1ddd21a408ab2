"""A pure-Python model of one fixed-width atomic.

The state is the unsigned integer `bits` in [0, 2**(8*width)); INT values
are its two's complement reading, UINT values the number itself, BYTES values
its `width` bytes in native byte order (so the three agree on the same
memory). Every operation of README "Operations" is modelled, with
wraparound.
"""

import sys

__all__ = ["Model"]


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
        old = self.bits
        if name == "load":
            return self.decode(old)
        if name == "store":
            self.bits = self.encode(args[0])
            return None
        if name == "exchange":
            self.bits = self.encode(args[0])
            return self.decode(old)
        if name in ("cmpxchg_weak", "cmpxchg_strong"):
            expected, desired = self.encode(args[0]), self.encode(args[1])
            if expected == old:
                self.bits = desired
                return (True, self.decode(old))
            return (False, self.decode(old))
        if name.startswith("bit_test"):
            index = args[0]
            if not 0 <= index < self.nbits:
                raise ValueError("index")
            bit = bool(old >> index & 1)
            if name == "bit_test_compl":
                self.bits = old ^ (1 << index)
            elif name == "bit_test_set":
                self.bits = old | (1 << index)
            elif name == "bit_test_reset":
                self.bits = old & ~(1 << index) & self.mask
            return bit
        fetch = name.startswith(("fetch_", "bin_fetch_"))
        base = name.replace("fetch_", "")
        operand = self.encode(args[0]) if args else None
        if base == "bin_or":
            new = old | operand
        elif base == "bin_xor":
            new = old ^ operand
        elif base == "bin_and":
            new = old & operand
        elif base == "bin_not":
            new = ~old
        elif self.kind == "BYTES":
            raise AttributeError(name)
        elif base == "add":
            new = old + operand
        elif base == "sub":
            new = old - operand
        elif base == "inc":
            new = old + 1
        elif base == "dec":
            new = old - 1
        elif base == "neg":
            new = -old
        else:
            raise AttributeError(name)
        self.bits = new & self.mask
        return self.decode(old) if fetch else None

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
