import Foundation
import Testing
@testable import S2MCore

/// A scratch folder with empty files at the given relative paths (pairing reads names only).
func scratchDataset(_ files: [String], contents: [String: String] = [:]) throws -> String {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("s2m-eval-\(UUID().uuidString)").path
    for f in files + Array(contents.keys) {
        let path = root + "/" + f
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: path, contents: Data((contents[f] ?? "").utf8))
    }
    return root
}

@Suite struct DatasetTests {
    @Test func smiycPairsByName() throws {
        let root = try scratchDataset(["images/validation_10.webp", "images/validation_2.webp",
                                       "labels_masks/validation_2_labels_semantic.png", "labels_masks/validation_10_labels_semantic.png",
                                       "labels_masks/validation_2_labels_semantic_color.png"])
        #expect(try DatasetLayout.detect(root: root) == .smiyc)
        let d = try Dataset.open(root: root)
        #expect(d.cases.map(\.name) == ["validation_10", "validation_2"])
        #expect(d.cases[0].label == root + "/labels_masks/validation_10_labels_semantic.png")
        #expect(d.cases[1].image == root + "/images/validation_2.webp")
        #expect(d.layout.defaultEncoding == .smiyc)
    }

    @Test func unpairedFilesAreListed() throws {
        let root = try scratchDataset(["images/a.jpg", "images/b.jpg", "labels_masks/a_labels_semantic.png",
                                       "labels_masks/zz_labels_semantic.png"])
        #expect(throws: S2MError(file: root, .invalid("1 label file without an image: labels_masks/zz_labels_semantic.png; 1 image without a label in labels_masks/ (<id>_labels_semantic.png): images/b.jpg"))) {
            try Dataset.open(root: root)
        }
        let dup = try scratchDataset(["images/a.jpg", "images/a.png", "labels_masks/a_labels_semantic.png"])
        #expect(throws: S2MError.self) { try Dataset.open(root: dup) }
    }

    /// S2M's own loader pairs `score/<n>.npz` with images by directory order; here 10 goes with
    /// image_10 whatever order the folder lists them in.
    @Test func fishyscapesScoresByNumber() throws {
        let root = try scratchDataset(["original/image_1.png", "original/image_2.png", "original/image_10.png",
                                       "labels/image_1.png", "labels/image_2.png", "labels/image_10.png",
                                       "score/10.npz", "score/2.npz", "score/1.npz"])
        let d = try Dataset.open(root: root)
        #expect(d.layout == .fishyscapes && d.scoresSource == root + "/score")
        for c in d.cases {
            #expect(c.scores == root + "/score/\(c.name.dropFirst("image_".count)).npz")
        }
        try d.requireScores()
    }

    @Test func roadAnomalyFrames() throws {
        let root = try scratchDataset(["frames/cows.jpg", "frames/cows.labels/labels_semantic.png",
                                       "frames/fox.jpg", "frames/fox.labels/labels_semantic.png", "frame_list.json"])
        let d = try Dataset.open(root: root)
        #expect(d.layout == .roadAnomaly && d.layout.defaultEncoding == .roadAnomaly)
        #expect(d.cases.map(\.name) == ["cows", "fox"])
        #expect(d.cases[1].label == root + "/frames/fox.labels/labels_semantic.png")
        let bad = try scratchDataset(["frames/cows.jpg", "frames/cows.labels/labels_instance.png"])
        #expect(throws: S2MError.self) { try Dataset.open(root: bad) }
    }

    @Test func scoreFolderKeyedByStem() throws {
        let root = try scratchDataset(["images/a.jpg", "images/b.jpg", "labels_masks/a_labels_semantic.png",
                                       "labels_masks/b_labels_semantic.png"])
        let scores = try scratchDataset(["a.npy", "b_scores.npz", "notes.txt"])
        let d = try Dataset.open(root: root, scores: scores)
        #expect(d.cases.map { $0.scores } == [scores + "/a.npy", scores + "/b_scores.npz"])
        // A score file with no image, and two files for one image.
        let extra = try scratchDataset(["a.npy", "b.npy", "c.npy"])
        #expect(throws: S2MError(file: extra, .invalid("1 score file match no image: c.npy (--allow-unpaired to ignore them)"))) {
            try Dataset.open(root: root, scores: extra)
        }
        #expect(try Dataset.open(root: root, scores: extra, allowUnpaired: true).cases.allSatisfy { $0.scores != nil })
        let twice = try scratchDataset(["a.npy", "a.npz", "b.npy"])
        #expect(throws: S2MError.self) { try Dataset.open(root: root, scores: twice) }
        // Missing scores are reported by requireScores, listing the images.
        let some = try scratchDataset(["a.npy"])
        #expect(throws: S2MError(file: root, .invalid("1 image has no score map in \(some): b"))) {
            try Dataset.open(root: root, scores: some).requireScores()
        }
    }

    @Test func detectsUnknownLayouts() throws {
        let root = try scratchDataset(["pictures/a.jpg"])
        #expect(throws: S2MError.self) { try DatasetLayout.detect(root: root) }
        #expect(throws: S2MError(file: root + "/nope", .missingFile)) { try DatasetLayout.detect(root: root + "/nope") }
        #expect(try DatasetLayout(parsing: "RoadAnomaly") == .roadAnomaly)
    }

    @Test func csvManifest() throws {
        let root = try scratchDataset([], contents: ["m/list.csv": """
            # a comment
            image,label,scores
            img/a.jpg, gt/a.png ,s/a.npy
            "img/b, with comma.jpg",,/abs/b.npy

            """])
        let d = try Dataset.manifest(root + "/m/list.csv")
        #expect(d.cases.count == 2)
        #expect(d.cases[0] == DatasetCase(name: "a", image: root + "/m/img/a.jpg", scores: root + "/m/s/a.npy", label: root + "/m/gt/a.png"))
        #expect(d.cases[1].name == "b, with comma" && d.cases[1].label == nil && d.cases[1].scores == "/abs/b.npy")
        #expect(throws: S2MError.self) { try d.requireLabels() }
        let positional = try scratchDataset([], contents: ["p.csv": "x/a.jpg,x/a.npy,x/a.png\ny/a.jpg,,y/a.png\n"])
        let p = try Dataset.manifest(positional + "/p.csv")
        #expect(p.cases.map(\.name) == ["x/a", "y/a"])          // repeated stems: relative paths
        #expect(p.cases[0].scores == positional + "/x/a.npy" && p.cases[1].scores == nil)
        let bad = try scratchDataset([], contents: ["b.csv": "image,lable\na.jpg,a.png\n"])
        #expect(throws: S2MError.self) { try Dataset.manifest(bad + "/b.csv") }
    }

    @Test func jsonManifest() throws {
        let root = try scratchDataset([], contents: ["m.json": """
            {"cases": [{"image": "a.jpg", "scores": "a.npy", "label": "a.png", "prompts": "a.json"},
                       {"image": "b.jpg", "name": "second", "label": null}]}
            """])
        let d = try Dataset.manifest(root + "/m.json")
        #expect(d.cases[0].prompts == root + "/a.json" && d.cases[1].name == "second" && d.cases[1].label == nil)
        let typo = try scratchDataset([], contents: ["t.json": #"[{"image": "a.jpg", "score": "a.npy"}]"#])
        #expect(throws: S2MError(file: typo + "/t.json", .invalid("case 1: unknown key 'score' (use image, scores, label, prompts, name)"))) {
            try Dataset.manifest(typo + "/t.json")
        }
    }

    @Test func truthFromLabels() throws {
        let labels = LabelMap(width: 4, height: 1, pixels: [0, 1, 255, 0])
        #expect(try LabelEncoding.smiyc.truthMap(labels).pixels == [.inDistribution, .anomaly, .void, .inDistribution])
        let road = LabelMap(width: 3, height: 1, pixels: [0, 2, 2])
        #expect(try LabelEncoding.roadAnomaly.truthMap(road).pixels == [.inDistribution, .anomaly, .anomaly])
        #expect(throws: S2MError(file: "l.png", .invalid("label value 2 (2 px) not defined by the label encoding smiyc (0 in-distribution, 1 OoD, 255 void); RoadAnomaly labels mark anomalies with 2: use --label-encoding road-anomaly; --allow-other-labels counts them as in-distribution"))) {
            try LabelEncoding.smiyc.truthMap(road, file: "l.png")
        }
        #expect(try LabelEncoding.smiyc.truthMap(road, allowOtherValues: true).pixels == [.inDistribution, .inDistribution, .inDistribution])
    }
}
