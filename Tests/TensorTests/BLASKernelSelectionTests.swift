import CKernels
import Foundation
import ProcessTesting
import Tensor
import TestSupport
import XCTest

/// `hmtl` asks OpenBLAS for a vector kernel where OpenBLAS fell back to a generic one and the
/// machine left `OPENBLAS_CORETYPE` unset, and never touches the variable when it is set.
final class BLASKernelSelectionTests: XCTestCase {
    /// The BLAS line `hmtl train` prints for a one-step run, started with `environment`.
    private func blasLine(_ environment: [String: String]) throws -> String {
        let dir = try makeTemporaryDirectory()
        let config = dir.appendingPathComponent("two.json")
        try TwoTaggerConfig(seed: 2, training: ["max_steps": 1, "log_every": 1, "checkpoint_every": 1])
            .json.write(to: config, atomically: true, encoding: .utf8)
        let o = try TestCommand.run(CommandRunner.hmtl, ["train", "--config", config.path, "--output", dir.appendingPathComponent("run").path],
                                    timeout: 120, environment: environment)
        XCTAssertEqual(o.status, 0, o.stdout + o.stderr)
        return try XCTUnwrap(o.stdout.split(separator: "\n").first { $0.contains("BLAS: ") }.map(String.init), o.stdout)
    }

    func testTheMachinesKernelIsKeptAndAFallbackIsReplaced() throws {
        let detected = BLASLibrary.coreName
        if let set = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] {
            // The machine chose: the child inherits it, and hmtl leaves it alone.
            let line = try blasLine(["OPENBLAS_NUM_THREADS": "1"])
            XCTAssertTrue(line.contains("OpenBLAS \(detected) kernel, 1 thread"), "\(line) (OPENBLAS_CORETYPE=\(set))")
            XCTAssertFalse(line.contains("hmtl's choice"), line)
        } else {
            let choice = BLASKernelChoice.replacement(for: detected, avx512: hk_cpu_has_avx512_skylakex() != 0,
                                                      avx2: hk_cpu_has_avx2_fma() != 0, intel: hk_cpu_is_intel() != 0)
            let line = try blasLine(["OPENBLAS_NUM_THREADS": "1"])
            if let choice {
                XCTAssertTrue(line.contains("OpenBLAS \(choice) kernel (hmtl's choice; OpenBLAS detected \(detected)), 1 thread"), line)
            } else {
                XCTAssertTrue(line.contains("OpenBLAS \(detected) kernel, 1 thread"), line)
            }
        }
        // A kernel given explicitly is used as given, even the generic one.
        let explicit = try blasLine(["OPENBLAS_NUM_THREADS": "1", "OPENBLAS_CORETYPE": "Prescott"])
        XCTAssertTrue(explicit.contains("OpenBLAS Prescott kernel, 1 thread"), explicit)
    }
}
