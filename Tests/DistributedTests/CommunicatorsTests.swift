import XCTest
@testable import Distributed

final class CommunicatorsTests: XCTestCase {
    func testPicksSingleProcessWithoutLauncherVariables() throws {
        let c = try Communicators.make(environment: ["PATH": "/usr/bin", "SLURM_NTASKS": "4"])
        XCTAssertTrue(c is SingleProcessCommunicator)
    }

    func testRecognisesEveryLauncherVariable() {
        for name in ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "PMI_RANK"] {
            XCTAssertTrue(Communicators.isLaunchedByMPI(environment: [name: "0"]), name)
        }
        XCTAssertFalse(Communicators.isLaunchedByMPI(environment: [:]))
    }
}
