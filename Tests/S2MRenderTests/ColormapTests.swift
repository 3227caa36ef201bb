import Testing
import S2MCore
@testable import S2MRender

/// Values printed by matplotlib 3.11.2: `matplotlib.colormaps[name](t)[:3]`.
private let matplotlibSamples: [(String, Float, (Float, Float, Float))] = [
    ("viridis", 0.0, (0.267004, 0.004874, 0.329415)),
    ("viridis", 0.1, (0.282623, 0.140926, 0.457517)),
    ("viridis", 0.25, (0.229739, 0.322361, 0.545706)),
    ("viridis", 0.333, (0.190631, 0.407061, 0.556089)),
    ("viridis", 0.5, (0.127568, 0.566949, 0.550556)),
    ("viridis", 0.7, (0.266941, 0.748751, 0.440573)),
    ("viridis", 0.9, (0.741388, 0.873449, 0.149561)),
    ("viridis", 1.0, (0.993248, 0.906157, 0.143936)),
    ("inferno", 0.0, (0.001462, 0.000466, 0.013866)),
    ("inferno", 0.1, (0.087411, 0.044556, 0.224813)),
    ("inferno", 0.25, (0.3415, 0.062325, 0.429425)),
    ("inferno", 0.5, (0.735683, 0.215906, 0.330245)),
    ("inferno", 0.9, (0.964394, 0.843848, 0.273391)),
    ("inferno", 1.0, (0.988362, 0.998364, 0.644924)),
    ("magma", 0.1, (0.078815, 0.054184, 0.211667)),
    ("magma", 0.25, (0.316654, 0.07169, 0.48538)),
    ("magma", 0.5, (0.716387, 0.214982, 0.47529)),
    ("magma", 0.7, (0.967671, 0.439703, 0.35981)),
    ("magma", 1.0, (0.987053, 0.991438, 0.749504)),
    ("turbo", 0.0, (0.18995, 0.07176, 0.23217)),
    ("turbo", 0.1, (0.26967, 0.34878, 0.79631)),
    ("turbo", 0.25, (0.15844, 0.73551, 0.92305)),
    ("turbo", 0.5, (0.64362, 0.98999, 0.23356)),
    ("turbo", 0.9, (0.76476, 0.14374, 0.01041)),
    ("turbo", 1.0, (0.4796, 0.01583, 0.01055)),
    ("gray", 0.1, (0.09803921568627451, 0.09803921568627451, 0.09803921568627451)),
    ("gray", 0.333, (0.3333333333333333, 0.3333333333333333, 0.3333333333333333)),
    ("gray", 0.5, (0.501961, 0.501961, 0.501961)),
    ("gray", 0.999, (1.0, 1.0, 1.0)),
]

@Test func colormapsMatchMatplotlibAtSamplePoints() throws {
    for (name, t, expected) in matplotlibSamples {
        let map = try #require(Colormap.named(name))
        let c = map.components(t)
        #expect(abs(c.r - expected.0) < 1e-6 && abs(c.g - expected.1) < 1e-6 && abs(c.b - expected.2) < 1e-6,
                "\(name)(\(t)) = \(c), matplotlib says \(expected)")
    }
}

@Test func colormapEightBitEndsAreThePublishedHexValues() {
    // viridis runs from #440154 to #FDE725; inferno ends at #FCFFA4; turbo starts at #30123B.
    #expect(Colormap.viridis.color(0) == RGB(0x44, 0x01, 0x54))
    #expect(Colormap.viridis.color(1) == RGB(0xFD, 0xE7, 0x25))
    #expect(Colormap.inferno.color(1) == RGB(0xFC, 0xFF, 0xA4))
    #expect(Colormap.turbo.color(0) == RGB(0x30, 0x12, 0x3B))
    #expect(Colormap.gray.color(0.5) == RGB(gray: 128))
}

@Test func colormapIndexFollowsMatplotlibAndClips() {
    #expect(Colormap.index(-3) == 0)
    #expect(Colormap.index(.nan) == 0)
    #expect(Colormap.index(0.5) == 128)
    #expect(Colormap.index(255.0 / 256) == 255)
    #expect(Colormap.index(0.99999) == 255)
    #expect(Colormap.index(7) == 255)
    #expect(Colormap.named("VIRIDIS") == .viridis)
    #expect(Colormap.named("jet") == nil)
}
