import ArgumentParser
import Distributed
import Foundation
import Model

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

/// A task name as earlier versions spelled it (`Task.earlierSpellings`) fails as any bad input
/// does, its line naming the spelling now.
func rejectEarlierSpelling(_ option: String, _ name: String?) throws {
    guard let name, let message = Task.renamedMessage(option, name) else { return }
    try runReportingFailures { throw ValidationError(message) }
}
