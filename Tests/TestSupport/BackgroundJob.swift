import Foundation
import Processes
import ProcessTesting
import XCTest

/// A 2-rank `mpirun … hmtl` (or a launcher script) left running so that a test can signal it
/// or its ranks while it trains; see `BackgroundProcess`.
public typealias BackgroundJob = BackgroundProcess

extension BackgroundProcess {
    /// `mpirun -np 2 hmtl arguments…` as `CommandRunner.mpirun` launches it, output to `log`.
    public convenience init(_ arguments: [String], log: URL, sigkillGrace: Int = MPILaunch.sigkillGrace) throws {
        try self.init(try CommandRunner.mpirunPath(),
                      CommandRunner.mpirunArguments(ranks: 2, [CommandRunner.hmtl] + arguments, sigkillGrace: sigkillGrace),
                      environment: CommandRunner.childEnvironment, log: log)
    }

    /// The rank processes mpirun started (its live `hmtl` children), listed afresh so that the
    /// pids are current when the test signals one.
    public func findRanks() throws -> [Int32] {
        let mpirun = job.process.pid
        let ranks = ProcessTable.entries().filter { $0.parent == mpirun && $0.isAlive && $0.command == "hmtl" }.map(\.pid)
        XCTAssertEqual(ranks.count, 2, "expected two hmtl ranks under mpirun, found \(ranks)")
        return ranks
    }

    public static func skipUnlessAvailable() throws {
        try XCTSkipUnless(CommandRunner.mpirunAvailable, "mpirun not installed")
    }
}
