import S2MCore

/// A heatmap colormap: 256 sRGB entries, looked up the way matplotlib's listed colormaps are
/// (value `t` in [0, 1] picks entry `min(Int(t * 256), 255)`; values outside are clipped).
public struct Colormap: Hashable, Sendable {
    /// The name used on the command line (`viridis`, `inferno`, `magma`, `turbo`, `gray`).
    public let name: String
    /// matplotlib's table: 256 entries of `(r, g, b)` in [0, 1], flattened.
    public let table: [Float]
    /// The same entries rounded to 8 bits per channel.
    public let colors: [RGB]

    public init(name: String, table: [Float]) {
        precondition(table.count == 3 * 256, "a colormap table holds 256 RGB entries")
        self.name = name
        self.table = table
        self.colors = (0..<256).map { i in
            RGB(Self.byte(table[3 * i]), Self.byte(table[3 * i + 1]), Self.byte(table[3 * i + 2]))
        }
    }

    private static func byte(_ v: Float) -> UInt8 {
        UInt8(min(max((v * 255).rounded(), 0), 255))
    }

    /// The table index for `t`: matplotlib's rule for a 256-entry listed colormap. NaN maps to 0.
    @inlinable
    public static func index(_ t: Float) -> Int {
        guard t > 0 else { return 0 }  // also catches NaN
        return t >= 1 ? 255 : min(Int(t * 256), 255)
    }

    /// The 8-bit colour for `t` in [0, 1].
    @inlinable
    public func color(_ t: Float) -> RGB { colors[Self.index(t)] }

    /// matplotlib's floating-point colour for `t` in [0, 1].
    public func components(_ t: Float) -> (r: Float, g: Float, b: Float) {
        let i = Self.index(t)
        return (table[3 * i], table[3 * i + 1], table[3 * i + 2])
    }

    public static let viridis = Colormap(name: "viridis", table: ColormapTables.viridis)
    public static let inferno = Colormap(name: "inferno", table: ColormapTables.inferno)
    public static let magma = Colormap(name: "magma", table: ColormapTables.magma)
    public static let turbo = Colormap(name: "turbo", table: ColormapTables.turbo)
    /// matplotlib's `gray`: entry i is i / 255 on all channels.
    public static let gray = Colormap(
        name: "gray", table: (0..<256).flatMap { i in Array(repeating: Float(i) / 255, count: 3) })

    /// Every built-in colormap, in the order the viewer cycles through them.
    public static let all: [Colormap] = [.viridis, .inferno, .magma, .turbo, .gray]

    /// The built-in colormap called `name`, or nil.
    public static func named(_ name: String) -> Colormap? {
        all.first { $0.name == name.lowercased() }
    }
}
