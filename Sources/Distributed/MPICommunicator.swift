import CMPI
import Foundation

/// `MPI_COMM_WORLD` through the CMPI shims.
///
/// MPI is initialised with `MPI_THREAD_FUNNELED`: BLAS may run its own threads, but every MPI
/// call must come from the thread that created the communicator. Errors are returned, not
/// fatal inside the library (`MPI_ERRORS_RETURN`), and surface as `DistributedError`s naming
/// the call, the rank and MPI's own error string. Buffers longer than 2^30 elements are sent
/// in pieces because MPI counts are C `int`s.
public final class MPICommunicator: Communicator {
    public let rank: Int
    public let size: Int
    /// Elements per MPI call; only the self-test lowers it, to exercise the chunked path.
    let maxElementsPerCall: Int
    /// Requests of started reductions not yet waited for, oldest first (one per chunk);
    /// `waited` requests came before them. MPI sets a completed one to MPI_REQUEST_NULL.
    private var requests: [MPI_Request?] = []
    private var waited = 0

    /// Initialises MPI unless this process already did (a second communicator shares the
    /// world). MPI cannot be initialised again after `finalize()`.
    public init() throws {
        var initialized: Int32 = 0
        try Self.check(hmtl_mpi_initialized(&initialized), "MPI_Initialized", rank: nil)
        if initialized == 0 {
            var finalized: Int32 = 0
            try Self.check(hmtl_mpi_finalized(&finalized), "MPI_Finalized", rank: nil)
            if finalized != 0 {
                throw DistributedError("MPI was already finalized in this process and cannot be initialised again")
            }
            var provided: Int32 = 0
            try Self.check(hmtl_mpi_init_thread(hmtl_mpi_thread_funneled(), &provided), "MPI_Init_thread", rank: nil)
            if provided < hmtl_mpi_thread_funneled() {
                throw DistributedError("the MPI library does not support MPI_THREAD_FUNNELED (provided level \(provided))")
            }
        }
        try Self.check(hmtl_mpi_set_errors_return(), "MPI_Comm_set_errhandler", rank: nil)
        var rank: Int32 = 0, size: Int32 = 0
        try Self.check(hmtl_mpi_rank(&rank), "MPI_Comm_rank", rank: nil)
        try Self.check(hmtl_mpi_size(&size), "MPI_Comm_size", rank: Int(rank))
        self.rank = Int(rank)
        self.size = Int(size)
        self.maxElementsPerCall = Chunking.maxElementsPerCall
    }

    private init(rank: Int, size: Int, maxElementsPerCall: Int) {
        self.rank = rank
        self.size = size
        self.maxElementsPerCall = maxElementsPerCall
    }

    /// The same world, sending at most `limit` elements per MPI call.
    func withMaxElementsPerCall(_ limit: Int) -> MPICommunicator {
        MPICommunicator(rank: rank, size: size, maxElementsPerCall: limit)
    }

    /// Collective: every rank must call it before exiting. Later calls do nothing.
    public func finalize() throws {
        var finalized: Int32 = 0
        try check(hmtl_mpi_finalized(&finalized), "MPI_Finalized")
        if finalized == 0 {
            try check(hmtl_mpi_finalize(), "MPI_Finalize")
        }
    }

    public func allreduceSum(_ buffer: UnsafeMutablePointer<Float>, count: Int) throws {
        try chunked("MPI_Allreduce(sum, float)", buffer, count: count, hmtl_mpi_allreduce_sum_float)
    }

    public func startAllreduceSum(_ buffer: UnsafeMutablePointer<Float>, count: Int) throws -> PendingReduction {
        try Chunking.forEach(total: count, limit: maxElementsPerCall) { offset, piece in
            var request: MPI_Request?
            try check(hmtl_mpi_iallreduce_sum_float(buffer + offset, piece, &request), "MPI_Iallreduce(sum, float)")
            requests.append(request)
        }
        return PendingReduction(serial: waited + requests.count)
    }

    public func progressReductions() throws {
        guard !requests.isEmpty else { return }
        var done: Int32 = 0
        try check(requests.withUnsafeMutableBufferPointer { hmtl_mpi_testall(Int32($0.count), $0.baseAddress!, &done) }, "MPI_Testall")
    }

    public func waitForReductions(through last: PendingReduction) throws {
        let count = last.serial - waited
        guard count > 0 else { return }
        try check(requests.withUnsafeMutableBufferPointer { hmtl_mpi_waitall(Int32(count), $0.baseAddress!) }, "MPI_Waitall")
        requests.removeFirst(count)
        waited += count
    }

    public func allreduceSum(_ values: inout [Double]) throws {
        try chunked("MPI_Allreduce(sum, double)", &values, hmtl_mpi_allreduce_sum_double)
    }

    public func allreduceMin(_ values: inout [Int64]) throws {
        try chunked("MPI_Allreduce(min, int64)", &values, hmtl_mpi_allreduce_min_int64)
    }

    public func allreduceMax(_ values: inout [Int64]) throws {
        try chunked("MPI_Allreduce(max, int64)", &values, hmtl_mpi_allreduce_max_int64)
    }

    public func allgather(_ value: Int64) throws -> [Int64] {
        var values = [Int64](repeating: 0, count: size)
        try values.withUnsafeMutableBufferPointer { received in
            try check(hmtl_mpi_allgather_int64(value, received.baseAddress!), "MPI_Allgather(int64)")
        }
        return values
    }

    public func broadcast(_ buffer: UnsafeMutablePointer<Float>, count: Int, root: Int) throws {
        let root = checkedRoot(root)
        try chunked("MPI_Bcast(float)", buffer, count: count) { hmtl_mpi_bcast_float($0, $1, root) }
    }

    public func broadcast(_ bytes: inout [UInt8], root: Int) throws {
        let root = checkedRoot(root)
        var length = Int64(bytes.count)
        try check(hmtl_mpi_bcast_int64(&length, root), "MPI_Bcast(length)")
        if rank != Int(root) {
            bytes = [UInt8](repeating: 0, count: Int(length))
        }
        try chunked("MPI_Bcast(bytes)", &bytes) { hmtl_mpi_bcast_bytes($0, $1, root) }
    }

    public func barrier() throws {
        try check(hmtl_mpi_barrier(), "MPI_Barrier")
    }

    public func abort(_ message: String, code: Int32) -> Never {
        FatalMessage.write(rank: rank, message)
        var initialized: Int32 = 0, finalized: Int32 = 0
        _ = hmtl_mpi_initialized(&initialized)
        _ = hmtl_mpi_finalized(&finalized)
        if initialized != 0 && finalized == 0 {
            _ = hmtl_mpi_abort(code)
        }
        exit(code)
    }

    private func checkedRoot(_ root: Int) -> Int32 {
        precondition(root >= 0 && root < size, "broadcast root \(root) outside a world of \(size) ranks")
        return Int32(root)
    }

    private func chunked<Element>(
        _ operation: String, _ buffer: UnsafeMutablePointer<Element>, count: Int,
        _ call: (UnsafeMutablePointer<Element>, Int32) -> Int32
    ) throws {
        try Chunking.forEach(total: count, limit: maxElementsPerCall) { offset, piece in
            try check(call(buffer + offset, piece), operation)
        }
    }

    private func chunked<Element>(
        _ operation: String, _ values: inout [Element],
        _ call: (UnsafeMutablePointer<Element>, Int32) -> Int32
    ) throws {
        try values.withUnsafeMutableBufferPointer { elements in
            guard let base = elements.baseAddress else { return }
            try chunked(operation, base, count: elements.count, call)
        }
    }

    private func check(_ code: Int32, _ operation: String) throws {
        try Self.check(code, operation, rank: rank)
    }

    private static func check(_ code: Int32, _ operation: String, rank: Int?) throws {
        guard code != hmtl_mpi_success() else { return }
        var text = [CChar](repeating: 0, count: Int(hmtl_mpi_max_error_string()) + 1)
        var length: Int32 = 0
        let described = hmtl_mpi_error_string(code, &text, &length) == hmtl_mpi_success()
        let reason = described ? String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
                               : "unknown MPI error"
        let place = rank.map { " on rank \($0)" } ?? ""
        throw DistributedError("\(operation) failed\(place): \(reason) (MPI error \(code))")
    }
}
