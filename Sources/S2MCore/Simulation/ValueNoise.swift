/// A smooth random field: independent standard normal values on a lattice every `spacing`
/// cells, interpolated with a smoothstep-weighted bilinear blend. Mean 0; the standard deviation
/// is 1 at lattice points and a little lower between them. Used for the uneven response inside
/// objects (one field per simulated map).
public struct ValueNoise: Sendable {
    public let width: Int
    public let height: Int
    public let spacing: Double
    private let columns: Int
    private let lattice: [Double]

    /// Draws the lattice values from `generator`: `(ceil(width / spacing) + 2) x
    /// (ceil(height / spacing) + 2)` normals in row-major order.
    public init(width: Int, height: Int, spacing: Double, generator: inout SeededGenerator) {
        precondition(spacing > 0, "noise spacing must be positive")
        self.width = width
        self.height = height
        self.spacing = spacing
        columns = Int((Double(width) / spacing).rounded(.up)) + 2
        let rows = Int((Double(height) / spacing).rounded(.up)) + 2
        var values = [Double](repeating: 0, count: columns * rows)
        for i in values.indices { values[i] = generator.normal() }
        lattice = values
    }

    /// The field at cell (x, y).
    public func value(x: Int, y: Int) -> Double {
        let fx = Double(x) / spacing, fy = Double(y) / spacing
        let ix = Int(fx), iy = Int(fy)
        let tx = smooth(fx - Double(ix)), ty = smooth(fy - Double(iy))
        let a = lattice[iy * columns + ix], b = lattice[iy * columns + ix + 1]
        let c = lattice[(iy + 1) * columns + ix], d = lattice[(iy + 1) * columns + ix + 1]
        return (a * (1 - tx) + b * tx) * (1 - ty) + (c * (1 - tx) + d * tx) * ty
    }

    private func smooth(_ t: Double) -> Double { t * t * (3 - 2 * t) }
}
