import Foundation

/// Short number formats for labels drawn inside panels.
public enum TextFormat {
    /// Three significant digits, without exponent for ordinary magnitudes: 0.873, 12.4, -3.05.
    public static func score(_ v: Float) -> String {
        guard v.isFinite else { return v.isNaN ? "nan" : (v > 0 ? "inf" : "-inf") }
        let a = abs(v)
        if a != 0 && (a < 0.001 || a >= 100_000) { return String(format: "%.2e", v) }
        if a >= 100 { return String(format: "%.0f", v) }
        if a >= 10 { return String(format: "%.1f", v) }
        if a >= 1 { return String(format: "%.2f", v) }
        return String(format: "%.3f", v)
    }

    /// The two ends of a value range with the same number of decimals, enough to tell values a
    /// hundredth of the span apart: 0...1 gives "0.00" and "1.00", -3...250 gives "-3" and "250".
    public static func range(_ lo: Float, _ hi: Float) -> (String, String) {
        let span = Double(hi - lo)
        guard span.isFinite, span > 0 else { return (score(lo), score(hi)) }
        let decimals = min(max(2 - Int(log10(span).rounded(.down)), 0), 6)
        return (String(format: "%.\(decimals)f", lo), String(format: "%.\(decimals)f", hi))
    }

    /// Two decimals: confidences, IoU, F1.
    public static func fraction(_ v: Double) -> String {
        guard v.isFinite else { return "-" }
        return String(format: "%.2f", v)
    }
}
