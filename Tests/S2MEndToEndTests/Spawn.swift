import Foundation

/// Runs a program and waits for it with posix_spawn and waitpid (Foundation's Process can hang
/// in waitUntilExit when used from test threads). Output is read from pipes to the end.
enum Spawn {
    struct Result {
        var status: Int32
        var output: String
        var error: String
    }

    /// Runs `path` with `arguments`; `environment` replaces the environment when given.
    /// `captureOutput`: read stdout and stderr (never for a program that leaves a daemon holding
    /// them, such as tmux new-session: then both go to /dev/null).
    static func run(_ path: String, _ arguments: [String], environment: [String: String]? = nil,
                    captureOutput: Bool = true) throws -> Result {
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if captureOutput {
            guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else { throw POSIXError(.EMFILE) }
            posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
            posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
            for fd in outPipe + errPipe { posix_spawn_file_actions_addclose(&actions, fd) }
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let env = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { env?.forEach { free($0) } }
        // Test threads block most signals and a spawned program would inherit that mask (and pass
        // it on to a tmux server and the programs in its panes): start from an empty mask and
        // default dispositions.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t(), defaults = sigset_t()
        sigemptyset(&empty)
        sigemptyset(&defaults)
        for sig in [SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE, SIGCHLD, SIGWINCH, SIGUSR1, SIGUSR2] { sigaddset(&defaults, sig) }
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let spawned = env.map { e in e.withUnsafeBufferPointer { posix_spawn(&pid, path, &actions, &attributes, argv, UnsafeMutablePointer(mutating: $0.baseAddress)) } }
            ?? posix_spawn(&pid, path, &actions, &attributes, argv, environ)
        if captureOutput { close(outPipe[1]); close(errPipe[1]) }
        guard spawned == 0 else {
            if captureOutput { close(outPipe[0]); close(errPipe[0]) }
            throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EINVAL)
        }
        var output = Data(), error = Data()
        if captureOutput {
            // Read both pipes until both close (poll, so a full stderr cannot block stdout).
            var fds = [pollfd(fd: outPipe[0], events: Int16(POLLIN), revents: 0),
                       pollfd(fd: errPipe[0], events: Int16(POLLIN), revents: 0)]
            var open = 2
            var buffer = [UInt8](repeating: 0, count: 65536)
            while open > 0 {
                _ = poll(&fds, 2, -1)
                for i in 0..<2 where fds[i].fd >= 0 && fds[i].revents != 0 {
                    let n = read(fds[i].fd, &buffer, buffer.count)
                    if n > 0 {
                        if i == 0 { output.append(contentsOf: buffer[0..<n]) } else { error.append(contentsOf: buffer[0..<n]) }
                    } else if n == 0 || errno != EINTR {
                        close(fds[i].fd)
                        fds[i].fd = -1
                        open -= 1
                    }
                }
            }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exitStatus: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Result(status: exitStatus, output: String(decoding: output, as: UTF8.self),
                      error: String(decoding: error, as: UTF8.self))
    }
}
