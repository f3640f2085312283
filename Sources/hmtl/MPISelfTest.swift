import ArgumentParser
import Distributed

/// Exercises every collective under a real launcher (`mpirun -np 2 hmtl mpi-selftest`); the
/// test suite runs it, users can run it to check an MPI installation.
struct MPISelfTest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mpi-selftest", abstract: "Check the MPI collectives hmtl uses (run under mpirun).")

    func run() throws {
        let communicator = try Communicators.make()
        defer { try? communicator.finalize() }
        try runReportingFailures(communicator) {
            print(try DistributedSelfTest.run(communicator: communicator))
        }
    }
}
