import Testing
@testable import S2MCore

@Suite struct LabelsEncodingTests {
    @Test func presetsAndParsing() throws {
        #expect(LabelEncoding.default == LabelEncoding(ood: 1, void: 255))
        #expect(try LabelEncoding(parsing: "smiyc") == .smiyc)
        #expect(try LabelEncoding(parsing: "Fishyscapes") == .smiyc)
        #expect(try LabelEncoding(parsing: "road-anomaly") == LabelEncoding(ood: 2, void: nil))
        #expect(try LabelEncoding(parsing: "ood=2,void=none") == .roadAnomaly)
        #expect(try LabelEncoding(parsing: "ood=3") == LabelEncoding(ood: 3, void: nil))
        #expect(try LabelEncoding(parsing: "void=254, ood=7") == LabelEncoding(ood: 7, void: 254))
        for bad in ["", "cityscapes", "ood=", "ood=70000", "void=255", "ood=1,void=1", "ood=1,colour=2"] {
            #expect(problem { try LabelEncoding(parsing: bad) }?.kind == "invalid", "\(bad)")
        }
        #expect(LabelEncoding.smiyc.description == "smiyc")
        #expect(LabelEncoding.roadAnomaly.description == "road-anomaly")
        #expect(LabelEncoding(ood: 7, void: 254).description == "ood=7,void=254")
        #expect(try LabelEncoding(parsing: LabelEncoding(ood: 7, void: nil).description) == LabelEncoding(ood: 7, void: nil))
    }

    @Test func rolesMasksAndCounts() {
        let labels = LabelMap(width: 3, height: 2, pixels: [0, 1, 255, 2, 1, 7])
        let smiyc = LabelEncoding.smiyc
        #expect(smiyc.role(of: 1) == .ood && smiyc.role(of: 255) == .void && smiyc.role(of: 2) == .inDistribution)
        #expect(smiyc.oodMask(labels).pixels == [false, true, false, false, true, false])
        #expect(smiyc.voidMask(labels).pixels == [false, false, true, false, false, false])
        #expect(smiyc.counts(labels) == (inDistribution: 3, ood: 2, void: 1))
        let road = LabelEncoding.roadAnomaly
        #expect(road.oodMask(labels).trueCount == 1)
        #expect(road.voidMask(labels).trueCount == 0)
        #expect(road.counts(labels) == (inDistribution: 5, ood: 1, void: 0))
    }

    @Test func conversionBetweenEncodings() throws {
        let road = LabelMap(width: 4, height: 1, pixels: [0, 2, 1, 2])  // 1 is in-distribution in RoadAnomaly
        #expect(try LabelEncoding.roadAnomaly.convert(road, to: .smiyc).pixels == [0, 1, 0, 1])
        let smiyc = LabelMap(width: 3, height: 1, pixels: [255, 1, 0])
        #expect(try LabelEncoding.smiyc.convert(smiyc, to: LabelEncoding(ood: 2, void: 254)).pixels == [254, 2, 0])
        #expect(problem { try LabelEncoding.smiyc.convert(smiyc, to: .roadAnomaly) }?.kind == "invalid")  // void has nowhere to go
        #expect(problem { try LabelEncoding.smiyc.convert(smiyc, to: LabelEncoding(ood: 0, void: nil)) }?.kind == "invalid")
    }
}
