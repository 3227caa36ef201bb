import S2MCore

/// One numeric parameter of a prompt generator, as the viewer's form shows it.
public struct GeneratorParameter: Hashable, Sendable, Codable {
    /// Key used in saved sessions (e.g. `"levels"`).
    public var key: String
    /// What the form shows (e.g. `"levels"`), with a one-line explanation.
    public var label: String
    public var help: String
    public var defaultValue: Double
    public var minimum: Double
    public var maximum: Double
    public var step: Double
    /// Integer parameters are shown and stepped without decimals.
    public var isInteger: Bool

    public init(key: String, label: String, help: String, defaultValue: Double, minimum: Double,
                maximum: Double, step: Double, isInteger: Bool = false) {
        self.key = key
        self.label = label
        self.help = help
        self.defaultValue = defaultValue
        self.minimum = minimum
        self.maximum = maximum
        self.step = step
        self.isInteger = isInteger
    }

    /// `value` clamped to the range and, for integers, rounded.
    public func clamp(_ value: Double) -> Double {
        let v = min(max(value, minimum), maximum)
        return isInteger ? v.rounded() : v
    }

    /// The value as the form prints it.
    public func format(_ value: Double) -> String {
        if isInteger { return String(Int(value.rounded())) }
        let decimals = step >= 1 ? 0 : (step >= 0.1 ? 1 : (step >= 0.01 ? 2 : 3))
        var s = String(Int((value * pow10(decimals)).rounded()))
        if decimals > 0 {
            let negative = s.hasPrefix("-")
            if negative { s.removeFirst() }
            while s.count <= decimals { s = "0" + s }
            s.insert(".", at: s.index(s.endIndex, offsetBy: -decimals))
            if negative { s = "-" + s }
        }
        return s
    }

    private func pow10(_ n: Int) -> Double {
        var p = 1.0
        for _ in 0..<n { p *= 10 }
        return p
    }
}

/// A prompt generator whose parameters the viewer can tune live. The command layer adapts the
/// pipeline's generators (their parameter structs) to this.
public protocol TunablePromptSource: Sendable {
    /// Name shown in the form's title and stored in sessions.
    var name: String { get }
    /// The parameters, with their defaults, in form order.
    var parameters: [GeneratorParameter] { get }
    /// A generator configured with `values` (by key; missing keys take their defaults).
    func generator(values: [String: Double]) throws -> any PromptGenerator
}

extension TunablePromptSource {
    /// The default value of every parameter.
    public var defaultValues: [String: Double] {
        Dictionary(uniqueKeysWithValues: parameters.map { ($0.key, $0.defaultValue) })
    }
}
