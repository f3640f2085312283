import Foundation
import Training

/// What `hmtl` needs to start itself under MPI: this very binary and the `mpirun` on PATH,
/// with the options every launch of this project passes — root-safe and oversubscribed (as
/// `make demo`).
public struct LaunchPrograms {
    public let executable: String
    public let mpirun: String

    /// `what` names the command in the error when mpirun is missing.
    public init(for what: String) throws {
        // /proc/self/exe names this binary however it was started (relative path, PATH, symlink).
        executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        guard let found = path.split(separator: ":").map({ "\($0)/mpirun" }).first(where: FileManager.default.isExecutableFile) else {
            throw TrainingError("\(what): mpirun is not on PATH (install OpenMPI: make deps)")
        }
        mpirun = found
    }

    /// mpirun refuses root unless told; containers run as root.
    public static var baseOptions: [String] { (getuid() == 0 ? ["--allow-run-as-root"] : []) + ["--oversubscribe"] }

    /// /dev/null for a child's standard input (nothing waits on the terminal); the caller closes it.
    public static func nullInput(for what: String) throws -> Int32 {
        let input = open("/dev/null", O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw TrainingError("\(what): cannot open /dev/null: \(String(cString: strerror(errno)))") }
        return input
    }
}
