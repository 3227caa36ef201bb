/// IEEE 754 binary16 ("half", numpy `f2`) conversions done on bit patterns, so they give the
/// same results on every platform (Swift's `Float16` is not available everywhere).
public enum HalfFloat {
    /// The Float with the value of the half-precision bit pattern `bits` (exact; NaN stays NaN).
    @inlinable
    public static func float(fromBits bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = Int(bits >> 10) & 0x1F
        let mantissa = UInt32(bits & 0x03FF)
        if exponent == 0 {
            // Zero or subnormal: mantissa * 2^-24, exact in Float.
            let magnitude = Float(mantissa) * 0x1p-24
            return sign != 0 ? -magnitude : magnitude
        }
        if exponent == 0x1F {
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        }
        return Float(bitPattern: sign | (UInt32(exponent - 15 + 127) << 23) | (mantissa << 13))
    }

    /// The half-precision bit pattern nearest to `value` (round to nearest, ties to even);
    /// values beyond the half range become ±infinity, NaN becomes a quiet NaN.
    @inlinable
    public static func bits(from value: Float) -> UInt16 {
        let pattern = value.bitPattern
        let sign = UInt16((pattern >> 16) & 0x8000)
        if value.isNaN { return sign | 0x7E00 }
        let magnitude = abs(value)
        if magnitude >= 65520 { return sign | 0x7C00 }  // 65520 and above round to infinity
        if magnitude < 0x1p-14 {
            // Subnormal half (or zero): scale to units of 2^-24 and round; 1024 becomes the
            // smallest normal, whose bit pattern is exactly 1024 as well.
            let units = (magnitude * 0x1p24).rounded(.toNearestOrEven)
            return sign | UInt16(units)
        }
        let exponent = Int((pattern >> 23) & 0xFF) - 127 + 15
        var mantissa = (pattern & 0x7F_FFFF) >> 13
        let remainder = pattern & 0x1FFF
        if remainder > 0x1000 || (remainder == 0x1000 && mantissa & 1 == 1) { mantissa += 1 }
        // A mantissa carry moves into the exponent, which is the correct rounding.
        return sign | UInt16(UInt32(exponent) << 10 + mantissa)
    }
}
