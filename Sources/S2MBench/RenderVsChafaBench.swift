import ArgumentParser
import Foundation
import S2MCore
import S2MRender

/// `s2m-bench render-vs-chafa`: `s2m render` of a 1280x720 photo to 160x48 half-block cells
/// against `chafa --format symbols --symbols vhalf --stretch -s 160x48` on the same file, both as
/// whole processes (start-up, decode, resample, output), in 24-bit and 256 colours: median wall
/// time, the ratio (target <= 0.8) and the bytes each prints. Also the in-process breakdown of
/// s2m's time (decode, render, ANSI encode).
struct RenderVsChafaBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render-vs-chafa",
        abstract: "s2m render vs chafa (vhalf symbols, 160x48, --stretch) on a 1280x720 photo: time ratio and output bytes.")

    @Option(help: "The photo (default: a 1280x720 RoadAnomaly frame from ../shared, else a generated 1280x720 PNG).")
    var image: String?

    @Option(help: "Runs of each command (the median is reported).")
    var runs = 30

    @Option(help: "The s2m executable (default: the one beside this benchmark).")
    var s2m: String?

    func run() throws {
        let photo = try image ?? BenchFiles.defaultPhoto()
        let binary = s2m ?? BenchFiles.sibling("s2m")
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw ValidationError("no s2m executable at \(binary): build it with swift build -c release")
        }
        guard let chafa = BenchFiles.executable("chafa") else {
            throw ValidationError("chafa is not installed (apt-get install chafa): nothing to compare with")
        }
        let decoded = try ImageReader.read(photo)
        print("render-vs-chafa: \(photo) (\(decoded.width)x\(decoded.height)) to 160x48 cells, \(runs) runs each, median wall time")
        print("chafa: \(BenchProcess.run(chafa, ["--version"]).output.split(separator: "\n").first ?? "?")\n")
        func pad(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(n - s.count, 0)) + s }
        print("colours".padding(toLength: 20, withPad: " ", startingAt: 0) + pad("s2m (ms)", 10) + pad("chafa (ms)", 12)
              + pad("ratio", 8) + pad("s2m CPU", 10) + pad("chafa CPU", 11) + pad("ratio", 8)
              + pad("s2m bytes", 12) + pad("chafa bytes", 13))
        for (name, s2mColor, chafaColor, work) in [("24-bit", "truecolor", "full", nil), ("256", "256", "256", nil),
                                                   ("24-bit chafa -w 1", "truecolor", "full", "1")] {
            let s2mArgs = ["render", photo, "--width", "160", "--height", "48", "--stretch", "--color", s2mColor]
            let chafaArgs = ["--format", "symbols", "--symbols", "vhalf", "--stretch", "-s", "160x48", "--colors", chafaColor]
                + (work.map { ["-w", $0] } ?? []) + [photo]
            let environment = ["LANG": "C.UTF-8", "TERM": "xterm-256color"]
            // Warm the page cache and check both succeed.
            let s2mOut = BenchProcess.run(binary, s2mArgs, environment: environment)
            let chafaOut = BenchProcess.run(chafa, chafaArgs, environment: environment)
            guard s2mOut.status == 0, chafaOut.status == 0 else {
                throw ValidationError("a command failed: s2m \(s2mOut.status), chafa \(chafaOut.status)")
            }
            var s2mTimes = [Double](), chafaTimes = [Double](), s2mCPU = [Double](), chafaCPU = [Double]()
            for _ in 0..<runs {  // interleaved, so both see the same machine load
                let r1 = BenchProcess.run(binary, s2mArgs, environment: environment)
                let r2 = BenchProcess.run(chafa, chafaArgs, environment: environment)
                s2mTimes.append(r1.milliseconds)
                chafaTimes.append(r2.milliseconds)
                s2mCPU.append(r1.cpuMilliseconds)
                chafaCPU.append(r2.cpuMilliseconds)
            }
            let a = median(s2mTimes), b = median(chafaTimes), c = median(s2mCPU), d = median(chafaCPU)
            print(name.padding(toLength: 20, withPad: " ", startingAt: 0) + pad(String(format: "%.1f", a), 10)
                  + pad(String(format: "%.1f", b), 12) + pad(String(format: "%.2f", a / b), 8)
                  + pad(String(format: "%.1f", c), 10) + pad(String(format: "%.1f", d), 11) + pad(String(format: "%.2f", c / d), 8)
                  + pad("\(s2mOut.output.utf8.count)", 12) + pad("\(chafaOut.output.utf8.count)", 13))
        }
        // Where s2m's time goes, in process.
        var decode = [Double](), render = [Double](), encode = [Double]()
        let options = RenderOptions(colorMode: .truecolor, stretch: true)
        for _ in 0..<runs {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let img = try ImageReader.read(photo)
            let t1 = DispatchTime.now().uptimeNanoseconds
            let grid = PanelRenderer(options: options).render(.image, scene: Scene(image: Versioned(img)), columns: 160, rows: 48).grid
            let t2 = DispatchTime.now().uptimeNanoseconds
            let bytes = ANSIWriter.bytes(grid)
            let t3 = DispatchTime.now().uptimeNanoseconds
            precondition(!bytes.isEmpty)
            decode.append(Double(t1 - t0) / 1e6)
            render.append(Double(t2 - t1) / 1e6)
            encode.append(Double(t3 - t2) / 1e6)
        }
        print(String(format: "\ns2m in process (24-bit): decode %.2f ms, resample + cells %.2f ms, ANSI encode %.2f ms (medians)",
                     median(decode), median(render), median(encode)))
        print("times: whole processes (start-up, decode, resample, output), wall clock and user+system CPU")
        print("target: s2m / chafa time ratio <= 0.8")
    }
}

/// Files the viewer benchmarks use.
enum BenchFiles {
    /// The RoadAnomaly frame used by the viewer benchmarks (1280x720), from ../shared.
    static let frameName = "animals03_Zebras_in_the_road"

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var sharedFrames: URL { packageRoot.appendingPathComponent("../shared/data/road_anomaly/frames").standardized }

    /// A 1280x720 photo: the shared frame, or a generated PNG in the temporary folder.
    static func defaultPhoto() throws -> String {
        let frame = sharedFrames.appendingPathComponent(frameName + ".jpg").path
        if FileManager.default.fileExists(atPath: frame) { return frame }
        let path = NSTemporaryDirectory() + "s2m-bench-photo-1280x720.png"
        var image = RGBImage(width: 1280, height: 720, repeating: RGB(gray: 0))
        var s: UInt64 = 0x9E3779B97F4A7C15
        for y in 0..<720 {
            for x in 0..<1280 {
                s ^= s << 13; s ^= s >> 7; s ^= s << 17
                image[x, y] = RGB(UInt8((x / 5 + Int(s % 32)) % 256), UInt8((y / 3) % 256), UInt8((x + y) / 8 % 256))
            }
        }
        try RasterWriter.writePNG(image, to: path)
        return path
    }

    /// A program in the same folder as this benchmark executable.
    static func sibling(_ name: String) -> String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name).path
    }

    static func executable(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}

/// Runs a program to completion with posix_spawn, reading its stdout; reports wall time.
enum BenchProcess {
    struct Result {
        var status: Int32
        var output: String
        var milliseconds: Double
        /// User + system CPU time of the child.
        var cpuMilliseconds: Double
    }

    static func run(_ path: String, _ arguments: [String], environment: [String: String] = [:]) -> Result {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var fds: [Int32] = [-1, -1]
        _ = pipe(&fds)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addclose(&actions, fds[1])
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let env = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            env.forEach { free($0) }
        }
        let start = DispatchTime.now().uptimeNanoseconds
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, env)
        close(fds[1])
        guard spawned == 0 else {
            close(fds[0])
            return Result(status: -1, output: "", milliseconds: .nan, cpuMilliseconds: .nan)
        }
        var output = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = read(fds[0], &buffer, buffer.count)
            if n > 0 { output.append(contentsOf: buffer[0..<n]) } else if n == 0 || errno != EINTR { break }
        }
        close(fds[0])
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let end = DispatchTime.now().uptimeNanoseconds
        func ms(_ t: timeval) -> Double { Double(t.tv_sec) * 1000 + Double(t.tv_usec) / 1000 }
        return Result(status: (status >> 8) & 0xff, output: String(decoding: output, as: UTF8.self),
                      milliseconds: Double(end - start) / 1e6, cpuMilliseconds: ms(usage.ru_utime) + ms(usage.ru_stime))
    }
}
