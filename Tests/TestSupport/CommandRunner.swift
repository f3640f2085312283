import Foundation
import ProcessTesting
import Tensor
import XCTest

/// Runs the built `hmtl` binary (alone or under mpirun) with a hard timeout, so a test can
/// never hang the suite; every process it starts is ended with everything it started (see
/// `TestProcesses`), whatever the outcome.
public enum CommandRunner {
    public typealias Output = TestCommand.Output

    /// The folder holding the built products (`hmtl`, the xctest bundle).
    public static var productsDirectory: URL {
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            return bundle.bundleURL.deletingLastPathComponent()
        }
        return Bundle.main.bundleURL
    }

    public static var hmtl: String { productsDirectory.appendingPathComponent("hmtl").path }

    public static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    public static var mpirunAvailable: Bool { which("mpirun") != nil }

    public static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// `hmtl args…`, single process.
    public static func run(_ arguments: [String], timeout: TimeInterval = 300, environment: [String: String] = [:]) throws -> Output {
        try execute(hmtl, arguments, timeout: timeout, environment: environment)
    }

    /// `mpirun -np N hmtl args…`, launched as docs/distributed.md launches it (`MPILaunch.options`:
    /// root-safe, oversubscribed, the documented SIGKILL grace), one BLAS thread per rank.
    public static func mpirun(ranks: Int, _ arguments: [String], program: String? = nil, timeout: TimeInterval = 300) throws -> Output {
        try execute(try mpirunPath(), mpirunArguments(ranks: ranks, [program ?? hmtl] + arguments), timeout: timeout, environment: [:])
    }

    public static func mpirunPath() throws -> String { try XCTUnwrap(which("mpirun"), "mpirun is not installed") }

    /// mpirun's arguments to run `command` on `ranks` ranks.
    public static func mpirunArguments(ranks: Int, _ command: [String], sigkillGrace: Int = MPILaunch.sigkillGrace) -> [String] {
        MPILaunch.options(sigkillGrace: sigkillGrace) + ["-np", "\(ranks)", "-x", "OPENBLAS_NUM_THREADS=1"] + command
    }

    /// `program args…` with one BLAS thread and this process's BLAS kernel, for up to `timeout`
    /// seconds.
    public static func execute(_ program: String, _ arguments: [String], timeout: TimeInterval, environment: [String: String]) throws -> Output {
        try TestCommand.run(program, arguments, timeout: timeout, environment: childEnvironment.merging(environment) { $1 })
    }

    /// One BLAS thread, and where the machine leaves `OPENBLAS_CORETYPE` unset, the kernel this
    /// test process runs: tests compare the binary's output with computations made here, and
    /// `hmtl` would otherwise pick a faster kernel of its own (`BLASKernelSelection`), which
    /// rounds differently. A variable the machine set is passed on unchanged.
    public static var childEnvironment: [String: String] {
        var environment = ["OPENBLAS_NUM_THREADS": "1"]
        if ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil { environment["OPENBLAS_CORETYPE"] = BLASLibrary.coreName }
        return environment
    }
}
