import Foundation
import XCTest

/// Runs the built `hmtl` binary (alone or under mpirun) with a hard timeout, so a test can
/// never hang the suite.
enum CommandRunner {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
        var timedOut: Bool
    }

    /// The folder holding the built products (`hmtl`, the xctest bundle).
    static var productsDirectory: URL {
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            return bundle.bundleURL.deletingLastPathComponent()
        }
        return Bundle.main.bundleURL
    }

    static var hmtl: String { productsDirectory.appendingPathComponent("hmtl").path }

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var mpirunAvailable: Bool { which("mpirun") != nil }

    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// `hmtl args…`, single process.
    static func run(_ arguments: [String], timeout: TimeInterval = 300, environment: [String: String] = [:]) throws -> Output {
        try execute(hmtl, arguments, timeout: timeout, environment: environment)
    }

    /// `mpirun -np N hmtl args…` (root-safe, oversubscribed, one BLAS thread per rank).
    static func mpirun(ranks: Int, _ arguments: [String], program: String? = nil, timeout: TimeInterval = 300) throws -> Output {
        let mpirun = try XCTUnwrap(which("mpirun"), "mpirun is not installed")
        let launcher = ["--allow-run-as-root", "--oversubscribe", "-np", "\(ranks)", "-x", "OPENBLAS_NUM_THREADS=1"]
        return try execute(mpirun, launcher + [program ?? hmtl] + arguments, timeout: timeout, environment: [:])
    }

    static func execute(_ program: String, _ arguments: [String], timeout: TimeInterval, environment: [String: String]) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["OPENBLAS_NUM_THREADS"] = "1"
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("hmtl-out-\(UUID().uuidString)")
        let err = FileManager.default.temporaryDirectory.appendingPathComponent("hmtl-err-\(UUID().uuidString)")
        for url in [out, err] where !FileManager.default.createFile(atPath: url.path, contents: nil) {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        defer { try? FileManager.default.removeItem(at: out); try? FileManager.default.removeItem(at: err) }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        let timedOut = process.isRunning
        if timedOut {
            process.terminate()
            usleep(500_000)
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        return Output(status: process.terminationStatus,
                      stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "",
                      timedOut: timedOut)
    }

    /// A fresh temporary folder removed at the end of the test.
    static func temporaryDirectory(_ test: XCTestCase) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hmtl-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }
}
