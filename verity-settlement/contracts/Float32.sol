// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// IEEE-754 binary32 add, mul and max on raw bit patterns, round to nearest even, subnormals
/// kept, NaN results canonical (0x7fc00000, as the strict engine writes them). A prototype for
/// checking a disputed step on-chain without referees (verity-audit/docs/ONCHAIN_STEP.md); its
/// results are compared bit for bit with Java's float arithmetic in Float32Test.
library Float32 {
    uint32 internal constant NAN = 0x7fc00000;
    uint32 internal constant INF = 0x7f800000;
    uint32 internal constant SIGN = 0x80000000;

    function isNaN(uint32 a) internal pure returns (bool) {
        return (a & 0x7fffffff) > INF;
    }

    function mul(uint32 a, uint32 b) internal pure returns (uint32) {
        uint32 sign = (a ^ b) & SIGN;
        if (isNaN(a) || isNaN(b)) return NAN;
        uint32 absA = a & 0x7fffffff;
        uint32 absB = b & 0x7fffffff;
        if (absA == INF) return absB == 0 ? NAN : sign | INF;
        if (absB == INF) return absA == 0 ? NAN : sign | INF;
        if (absA == 0 || absB == 0) return sign;
        (uint256 ma, int256 ea) = _unpack(absA);
        (uint256 mb, int256 eb) = _unpack(absB);
        return sign | _roundPack(ma * mb, ea + eb);
    }

    function add(uint32 a, uint32 b) internal pure returns (uint32) {
        if (isNaN(a) || isNaN(b)) return NAN;
        uint32 absA = a & 0x7fffffff;
        uint32 absB = b & 0x7fffffff;
        if (absA == INF) return (absB == INF && (a ^ b) & SIGN != 0) ? NAN : a;
        if (absB == INF) return b;
        if (absA == 0) return absB == 0 ? (a & b) : b;
        if (absB == 0) return a;
        (uint256 ma, int256 ea) = _unpack(absA);
        (uint256 mb, int256 eb) = _unpack(absB);
        bool negA = a & SIGN != 0;
        bool negB = b & SIGN != 0;
        // Order so that ea >= eb; a gap above 40 leaves the smaller below a quarter ulp.
        if (eb > ea) {
            (ma, mb) = (mb, ma);
            (ea, eb) = (eb, ea);
            (negA, negB) = (negB, negA);
            (a, b) = (b, a);
        }
        uint256 diff = uint256(ea - eb);
        if (diff > 40) return a;
        uint256 big = ma << diff;
        uint256 mag;
        bool neg;
        if (negA == negB) {
            mag = big + mb;
            neg = negA;
        } else if (big >= mb) {
            mag = big - mb;
            neg = negA;
        } else {
            mag = mb - big;
            neg = negB;
        }
        if (mag == 0) return 0; // x + (-x) = +0 under round to nearest
        return (neg ? SIGN : 0) | _roundPack(mag, eb);
    }

    /// Java's Math.max: NaN if either is NaN, +0 above -0.
    function max(uint32 a, uint32 b) internal pure returns (uint32) {
        if (isNaN(a) || isNaN(b)) return NAN;
        if ((a | b) & 0x7fffffff == 0) return a & b; // both zero: -0 only if both are -0
        return _lessThan(a, b) ? b : a;
    }

    function _lessThan(uint32 a, uint32 b) private pure returns (bool) {
        bool negA = a & SIGN != 0;
        bool negB = b & SIGN != 0;
        if (negA != negB) return negA;
        return negA ? (a & 0x7fffffff) > (b & 0x7fffffff) : a < b;
    }

    /// A finite nonzero magnitude as m × 2^e (m with its implicit bit; subnormals use E = 1).
    function _unpack(uint32 abs) private pure returns (uint256 m, int256 e) {
        uint256 be = abs >> 23;
        m = abs & 0x7fffff;
        if (be == 0) {
            be = 1;
        } else {
            m |= 0x800000;
        }
        e = int256(be) - 150;
    }

    /// Rounds m × 2^e (m > 0) to binary32, nearest even; overflow gives infinity.
    function _roundPack(uint256 m, int256 e) private pure returns (uint32) {
        int256 len = int256(_bitLength(m));
        int256 biased = len - 1 + e + 127;
        int256 q = (biased < 1 ? int256(1) : biased) - 150; // exponent of one ulp
        uint256 s;
        if (e >= q) {
            s = m << uint256(e - q);
        } else {
            uint256 r = uint256(q - e);
            if (r > uint256(len)) {
                return 0; // below half an ulp of the smallest subnormal
            }
            s = m >> r;
            uint256 rem = m & ((1 << r) - 1);
            uint256 half = 1 << (r - 1);
            if (rem > half || (rem == half && s & 1 == 1)) s += 1;
        }
        // s includes the implicit bit for normals, so (E − 1) << 23 + s packs exponent and
        // mantissa, and a carry out of the mantissa bumps the exponent by itself.
        uint256 bits = (uint256(biased < 1 ? int256(1) : biased) - 1) * 0x800000 + s;
        if (bits >= INF) return INF;
        return uint32(bits);
    }

    function _bitLength(uint256 x) private pure returns (uint256 n) {
        if (x >> 128 != 0) { x >>= 128; n += 128; }
        if (x >> 64 != 0) { x >>= 64; n += 64; }
        if (x >> 32 != 0) { x >>= 32; n += 32; }
        if (x >> 16 != 0) { x >>= 16; n += 16; }
        if (x >> 8 != 0) { x >>= 8; n += 8; }
        if (x >> 4 != 0) { x >>= 4; n += 4; }
        if (x >> 2 != 0) { x >>= 2; n += 2; }
        if (x >> 1 != 0) { x >>= 1; n += 1; }
        return n + x;
    }
}

/// Exposes Float32 for tests and gas measurements; not deployed by ContractDeployer.
contract Float32Harness {
    function mul(uint32 a, uint32 b) external pure returns (uint32) {
        return Float32.mul(a, b);
    }

    function add(uint32 a, uint32 b) external pure returns (uint32) {
        return Float32.add(a, b);
    }

    function max(uint32 a, uint32 b) external pure returns (uint32) {
        return Float32.max(a, b);
    }

    function noop(uint32 a, uint32 b) external pure returns (uint32) {
        return a ^ b;
    }

    /// Sequential dot product (((0 + a0 b0) + a1 b1) + ...), as a MatMul inner loop would run.
    function dot(uint32[] calldata a, uint32[] calldata b) external pure returns (uint32 acc) {
        for (uint256 i = 0; i < a.length; i++) {
            acc = Float32.add(acc, Float32.mul(a[i], b[i]));
        }
    }
}
