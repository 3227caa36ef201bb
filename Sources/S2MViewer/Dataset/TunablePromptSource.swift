import S2MCore

/// A prompt generator whose parameters the viewer can tune live. The command layer adapts the
/// pipeline's generators (their parameter structs and ``ParameterSpec``s) to this.
public protocol TunablePromptSource: Sendable {
    /// Name shown in the form and stored in sessions (e.g. `"component-tree"`).
    var name: String { get }
    /// The parameters, with their defaults, in form order.
    var parameters: [ParameterSpec] { get }
    /// A generator configured with `values` (by key; missing keys take their defaults).
    func generator(values: [String: Double]) throws -> any PromptGenerator
}

/// What the model knows of a generator: its name and parameters (the runner holds the generator).
public struct GeneratorDescription: Hashable, Sendable {
    public var name: String
    public var parameters: [ParameterSpec]

    public init(name: String, parameters: [ParameterSpec]) {
        self.name = name
        self.parameters = parameters
    }

    public init(_ source: any TunablePromptSource) {
        self.init(name: source.name, parameters: source.parameters)
    }

    /// Every parameter at its default.
    public var defaultValues: [String: Double] {
        Dictionary(uniqueKeysWithValues: parameters.map { ($0.key, $0.defaultValue) })
    }
}

extension ParameterSpec {
    /// `value` clamped to the range and, for integers, rounded.
    public func clamp(_ value: Double) -> Double {
        let v = min(max(value, minimum), maximum)
        return isInteger ? v.rounded() : v
    }

    /// The value as the form prints it: as many decimals as the step needs.
    public func format(_ value: Double) -> String {
        if isInteger { return String(Int(value.rounded())) }
        var decimals = 0
        var s = step
        while decimals < 6 && (s - s.rounded()).magnitude > 1e-9 {
            s *= 10
            decimals += 1
        }
        var text = String(Int((value * pow10(decimals)).rounded().magnitude))
        if decimals > 0 {
            while text.count <= decimals { text = "0" + text }
            text.insert(".", at: text.index(text.endIndex, offsetBy: -decimals))
        }
        return value < 0 && text.contains(where: { $0 != "0" && $0 != "." }) ? "-" + text : text
    }

    private func pow10(_ n: Int) -> Double {
        var p = 1.0
        for _ in 0..<n { p *= 10 }
        return p
    }
}
