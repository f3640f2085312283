import ArgumentParser
import Distributed
import Foundation

/// Every command ends the same way on failure: one clear line on stderr and exit code 2
/// (bad input or a failed run). Under MPI a failing rank stops the whole job, so the others
/// never wait forever in a collective.
func runReportingFailures(_ communicator: Communicator? = nil, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        if let communicator, communicator.size > 1 {
            communicator.abort("error: \(error)", code: 2)
        }
        FileHandle.standardError.write(Data("hmtl: error: \(error)\n".utf8))
        throw ExitCode(2)
    }
}
