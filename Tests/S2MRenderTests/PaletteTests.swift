import Testing
import S2MCore
@testable import S2MRender

private func distance(_ a: RGB, _ b: RGB) -> Int {
    let dr = Int(a.r) - Int(b.r), dg = Int(a.g) - Int(b.g), db = Int(a.b) - Int(b.b)
    return dr * dr + dg * dg + db * db
}

@Test func paletteEntriesHaveTheXtermValues() {
    #expect(XtermPalette.color(16) == RGB(0, 0, 0))
    #expect(XtermPalette.color(21) == RGB(0, 0, 255))
    #expect(XtermPalette.color(46) == RGB(0, 255, 0))
    #expect(XtermPalette.color(196) == RGB(255, 0, 0))
    #expect(XtermPalette.color(208) == RGB(255, 135, 0))
    #expect(XtermPalette.color(231) == RGB(255, 255, 255))
    #expect(XtermPalette.color(232) == RGB(gray: 8))
    #expect(XtermPalette.color(255) == RGB(gray: 238))
    #expect(XtermPalette.color(9) == RGB(255, 0, 0))
}

@Test func everyExtendedEntryMapsToItself() {
    for index in UInt8(16)...UInt8(255) {
        #expect(XtermPalette.nearestExtended(XtermPalette.color(index)) == index, "entry \(index)")
    }
}

@Test func nearestExtendedIsTheTrueNearestAndSkipsTheSystemColours() {
    var checked = 0
    for r in stride(from: 0, through: 255, by: 15) {
        for g in stride(from: 0, through: 255, by: 17) {
            for b in stride(from: 0, through: 255, by: 13) {
                let c = RGB(UInt8(r), UInt8(g), UInt8(b))
                let chosen = XtermPalette.nearestExtended(c)
                #expect(chosen >= 16)
                let best = (16...255).map { distance(c, XtermPalette.color(UInt8($0))) }.min()!
                #expect(distance(c, XtermPalette.color(chosen)) == best, "\(c) -> \(chosen)")
                checked += 1
            }
        }
    }
    #expect(checked > 5000)
    // Hand-worked: (100,100,100) is 27 from cube 59 (95,95,95) but 12 from grey 241 (98,98,98).
    #expect(XtermPalette.nearestExtended(RGB(gray: 100)) == 241)
    #expect(XtermPalette.nearestExtended(RGB(250, 10, 5)) == 196)
}

@Test func nearestSystemUsesXtermDefaults() {
    #expect(XtermPalette.nearestSystem(RGB(255, 0, 0)) == 9)
    #expect(XtermPalette.nearestSystem(RGB(200, 0, 0)) == 1)
    #expect(XtermPalette.nearestSystem(RGB(0, 0, 255)) == 4)
    #expect(XtermPalette.nearestSystem(RGB(gray: 120)) == 8)
    #expect(XtermPalette.nearestSystem(RGB(gray: 250)) == 15)
}

@Test func paletteRampsUseExactEntriesOnceEachInIncreasingOrder() {
    for map in Colormap.all {
        let ramp = PaletteRamp(colormap: map)
        #expect(Set(ramp.indices).count == ramp.indices.count, "\(map.name) repeats an entry")
        #expect(ramp.indices.allSatisfy { $0 >= 16 })
        for (index, color) in zip(ramp.indices, ramp.colors) {
            #expect(XtermPalette.color(index) == color)
            #expect(XtermPalette.nearestExtended(color) == index, "\(map.name): ramp colour not exact")
        }
        #expect(zip(ramp.positions, ramp.positions.dropFirst()).allSatisfy { $0 < $1 })
        #expect(ramp.indices.count >= 9, "\(map.name) ramp has only \(ramp.indices.count) steps")
        // No detour through an off-hue entry: each entry is close to the colormap where it stands.
        for (color, t) in zip(ramp.colors, ramp.positions) {
            #expect(Lab(color).distance(to: Lab(map.color(t))) <= PaletteRamp.candidateRadius,
                    "\(map.name): \(color) far from the colormap at \(t)")
        }
    }
    // gray can use all 24 ramp greys and the 6 cube greys, and must use nearly all of them.
    #expect(PaletteRamp(colormap: .gray).indices.count >= 28)
}

@Test func lightnessMonotoneColormapsGiveLightnessMonotoneRamps() {
    // viridis, inferno, magma and gray grow in lightness; a ramp that went back down would draw
    // false contours (bands) in a smooth score map.
    for map in [Colormap.viridis, .inferno, .magma, .gray] {
        let lightness = PaletteRamp(colormap: map).colors.map { Lab($0).l }
        for (a, b) in zip(lightness, lightness.dropFirst()) {
            #expect(b >= a - PaletteRamp.lightnessTolerance, "\(map.name): lightness drops from \(a) to \(b)")
        }
    }
}

@Test func paletteGapsSwitchAtTheMidpointWithoutDithering() {
    // viridis' dark end has no close cube entries: the first two ramp entries are far apart, and
    // a checkerboard of them over a flat dark region would look like noise in the scores.
    let ramp = PaletteRamp(colormap: .viridis)
    let gaps = zip(ramp.colors, ramp.colors.dropFirst()).enumerated()
        .filter { Lab($0.element.0).distance(to: Lab($0.element.1)) > PaletteRamp.maxDitherDistance }
        .map(\.offset)
    #expect(!gaps.isEmpty)
    for k in gaps {
        let span = ramp.positions[k + 1] - ramp.positions[k]
        for (t, expected) in [(ramp.positions[k] + 0.3 * span, k), (ramp.positions[k] + 0.7 * span, k + 1)] {
            for y in 0..<4 { for x in 0..<4 { #expect(ramp.entry(t, x: x, y: y) == expected, "gap \(k) at \(t)") } }
        }
    }
}

@Test func ditheringMixesNeighbouringEntriesInProportion() {
    let ramp = PaletteRamp(colormap: .viridis)
    // A gap in the middle of the ramp that is dithered (neighbours close enough).
    let k = (ramp.positions.count / 2..<ramp.positions.count - 1).first {
        Lab(ramp.colors[$0]).distance(to: Lab(ramp.colors[$0 + 1])) <= PaletteRamp.maxDitherDistance
    }!
    // At an entry's own position every pixel shows that entry.
    let atEntry = ramp.positions[k]
    for y in 0..<4 { for x in 0..<4 { #expect(ramp.entry(atEntry, x: x, y: y) == k) } }
    // Halfway to the next entry, half of each 4x4 block shows the next one.
    let halfway = (ramp.positions[k] + ramp.positions[k + 1]) / 2
    var upper = 0
    for y in 0..<4 { for x in 0..<4 where ramp.entry(halfway, x: x, y: y) == k + 1 { upper += 1 } }
    #expect(abs(upper - 8) <= 1)
    // Over a gradient, the block-mean lightness never decreases (no bands).
    var previous = -Double.infinity
    for step in 0...200 {
        let t = Float(step) / 200
        var sum = 0.0
        for y in 0..<4 { for x in 0..<4 { sum += Lab(ramp.color(t, x: x, y: y)).l } }
        #expect(sum / 16 >= previous - PaletteRamp.lightnessTolerance, "t = \(t)")
        previous = sum / 16
    }
}
