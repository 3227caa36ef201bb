// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "s2m",
    products: [
        .library(name: "S2MCore", targets: ["S2MCore"]),
        .library(name: "S2MRender", targets: ["S2MRender"]),
        .library(name: "S2MViewer", targets: ["S2MViewer"]),
        .library(name: "S2MSAM", targets: ["S2MSAM"]),
        .executable(name: "s2m", targets: ["s2m"]),
        .executable(name: "s2m-bench", targets: ["S2MBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
    ],
    targets: [
        // MARK: System libraries and C shims
        .systemLibrary(
            name: "CTurboJPEG", path: "Sources/System/CTurboJPEG",
            pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(
            name: "CWebP", path: "Sources/System/CWebP",
            pkgConfig: "libwebp", providers: [.apt(["libwebp-dev"])]),
        .systemLibrary(
            name: "CNcursesw", path: "Sources/System/CNcursesw",
            providers: [.apt(["libncursesw5-dev"])]),
        // libpng behind a small C API: libpng's setjmp/longjmp error handling stays inside C.
        .target(
            name: "CPNG", path: "Sources/CPNG",
            linkerSettings: [.linkedLibrary("png")]),
        .systemLibrary(
            name: "COpenBLAS", path: "Sources/System/COpenBLAS",
            pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        // SAM's hot loops: optimised even in debug builds so the fixture tests stay fast; x86-64
        // functions are cloned per instruction set (AVX-512 / AVX2 / baseline) and picked at run time.
        .target(
            name: "CSAMKernels",
            dependencies: ["COpenBLAS"],
            cSettings: [.unsafeFlags(["-O3", "-fno-math-errno", "-ffp-contract=fast"])]),

        // MARK: Library
        .target(
            name: "S2MCore",
            dependencies: [
                "CPNG", "CTurboJPEG", "CWebP",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]),
        // Segment Anything / MobileSAM (checkpoint reader, encoders, decoder, SAMSegmenter).
        .target(
            name: "S2MSAM",
            dependencies: [
                "S2MCore", "CSAMKernels", "COpenBLAS",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]),

        // MARK: Terminal viewer
        .target(name: "S2MRender", dependencies: ["S2MCore"]),
        .target(name: "S2MViewer", dependencies: ["S2MCore", "S2MRender"]),
        .target(name: "S2MTerminal", dependencies: ["S2MCore", "S2MRender", "S2MViewer", "CNcursesw"]),

        // MARK: Command line
        .executableTarget(
            name: "s2m",
            dependencies: [
                "S2MCore", "S2MRender", "S2MViewer", "S2MTerminal", "S2MSAM",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // MARK: Benchmarks (release builds only; see docs/benchmarks.md)
        .executableTarget(
            name: "S2MBench",
            dependencies: [
                "S2MCore", "S2MSAM", "S2MRender", "S2MViewer", "S2MTerminal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["Scripts"]),

        // MARK: Tests
        .testTarget(name: "S2MCoreTests", dependencies: ["S2MCore"]),
        .testTarget(name: "S2MRenderTests", dependencies: ["S2MRender", "S2MCore"]),
        .testTarget(name: "S2MViewerTests", dependencies: ["S2MViewer", "S2MRender", "S2MCore"]),
        .testTarget(
            name: "S2MSAMTests",
            dependencies: [
                "S2MSAM", "S2MCore", "CSAMKernels",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]),
        // Runs the built s2m in tmux (skipped when tmux or the binary is missing).
        .testTarget(name: "S2MEndToEndTests", dependencies: ["S2MCore"]),
    ]
)
