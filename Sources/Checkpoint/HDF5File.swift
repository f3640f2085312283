import CHDF5
import Foundation

/// `H5P_DEFAULT` ("default property list") imports as an Int32 literal; HDF5 takes a `hid_t`.
private let defaultPlist = hid_t(H5P_DEFAULT)

/// A minimal handle on one HDF5 file: groups, n-d numeric datasets, string-list datasets and
/// scalar attributes, addressed by absolute paths such as `/params/ner/encoder/l0/fwd/w_ih`.
///
/// Every HDF5 object opened by a method is closed before it returns (`defer`), and the file
/// is opened with the "semi" close degree, so `close()` fails — rather than silently keeping
/// the file open and unflushed — if any handle leaked. Any HDF5 failure throws an
/// `HDF5Error` naming the file and object. Nothing is allocated for a dataset, a name or a
/// link list whose declared size could not fit in the file (see `DatasetExtent`), so a
/// corrupted file gives an error, never an out-of-memory kill.
public final class HDF5File {
    public let url: URL
    /// The file's size in bytes when it was opened for reading (`Int.max` for a file created
    /// for writing): the bound on anything a read may allocate.
    public let byteSize: Int
    private let id: hid_t
    /// Link-creation properties: missing intermediate groups are created, names are UTF-8.
    private let linkCreation: hid_t
    private var isOpen = true

    private init(url: URL, byteSize: Int, id: hid_t, linkCreation: hid_t) {
        self.url = url
        self.byteSize = byteSize
        self.id = id
        self.linkCreation = linkCreation
    }

    deinit {
        if isOpen {
            H5Pclose(linkCreation)
            H5Fclose(id)
        }
    }

    /// Creates `url`, replacing any existing file. A `userBlockSize` (0, or a power of two
    /// ≥ 512) reserves that many bytes at the start of the file that HDF5 leaves to the
    /// application (the HDF5 data starts after them; tools find it there).
    public static func create(_ url: URL, userBlockSize: Int = 0) throws -> HDF5File {
        HDF5Library.silenceAutomaticPrinting()
        let creation = HDF5Library.createFileCreationList()
        guard creation >= 0 else { throw HDF5Error.fromStack(file: url.path, object: "/", operation: "create file") }
        defer { H5Pclose(creation) }
        guard H5Pset_userblock(creation, hsize_t(userBlockSize)) >= 0 else {
            throw HDF5Error.fromStack(file: url.path, object: "/", operation: "reserve a \(userBlockSize)-byte user block")
        }
        return try open(url, byteSize: .max, operation: "create file") { H5Fcreate(url.path, chdf5_acc_trunc(), creation, $0) }
    }

    public static func openReadOnly(_ url: URL) throws -> HDF5File {
        var status = stat()
        guard stat(url.path, &status) == 0 else {
            throw HDF5Error(file: url.path, object: "/", operation: "open file", detail: String(cString: strerror(errno)))
        }
        return try open(url, byteSize: Int(status.st_size), operation: "open file") { H5Fopen(url.path, chdf5_acc_rdonly(), $0) }
    }

    /// Whether `url` starts with an HDF5 signature; throws if it cannot be read at all.
    public static func isHDF5(_ url: URL) throws -> Bool {
        HDF5Library.silenceAutomaticPrinting()
        let result = H5Fis_hdf5(url.path)
        guard result >= 0 else { throw HDF5Error.fromStack(file: url.path, object: "/", operation: "read file") }
        return result > 0
    }

    private static func open(_ url: URL, byteSize: Int, operation: String, _ body: (_ access: hid_t) -> hid_t) throws -> HDF5File {
        HDF5Library.silenceAutomaticPrinting()
        func failure(_ step: String) -> HDF5Error { .fromStack(file: url.path, object: "/", operation: step) }
        let access = H5Pcreate(chdf5_p_file_access())
        guard access >= 0 else { throw failure(operation) }
        defer { H5Pclose(access) }
        // Locking is best effort: on file systems without it (NFS, Lustre) HDF5 carries on.
        guard H5Pset_fclose_degree(access, H5F_CLOSE_SEMI) >= 0,
              H5Pset_file_locking(access, true, true) >= 0 else { throw failure(operation) }
        let linkCreation = H5Pcreate(chdf5_p_link_create())
        guard linkCreation >= 0 else { throw failure(operation) }
        // Every HDF5 call clears the error stack, so each failure is captured before cleanup.
        guard H5Pset_create_intermediate_group(linkCreation, 1) >= 0,
              H5Pset_char_encoding(linkCreation, H5T_CSET_UTF8) >= 0 else {
            let error = failure(operation)
            H5Pclose(linkCreation)
            throw error
        }
        let id = body(access)
        guard id >= 0 else {
            let error = failure(operation)
            H5Pclose(linkCreation)
            throw error
        }
        return HDF5File(url: url, byteSize: byteSize, id: id, linkCreation: linkCreation)
    }

    /// Flushes and closes the file; later calls do nothing.
    public func close() throws {
        guard isOpen else { return }
        isOpen = false
        H5Pclose(linkCreation)
        try check(H5Fclose(id), "/", "close file")
    }

    // MARK: Groups

    /// Creates the group at `path` and any missing groups above it.
    public func createGroup(_ path: String) throws {
        let group = try check(H5Gcreate2(id, path, linkCreation, defaultPlist, defaultPlist), path, "create group")
        H5Gclose(group)
    }

    /// The names of the links in a group, in HDF5's alphabetical (byte) order.
    public func children(of path: String) throws -> [String] {
        let group = try check(H5Gopen2(id, path, defaultPlist), path, "open group")
        defer { H5Gclose(group) }
        var info = H5G_info_t()
        try check(H5Gget_info(group, &info), path, "list group")
        // Every link takes at least a byte of the file; a larger count is a corrupted header.
        guard info.nlinks <= UInt64(byteSize) else {
            throw HDF5Error(file: url.path, object: path, operation: "list group",
                            detail: "declares \(info.nlinks) links, more than the file's \(byteSize) bytes could hold")
        }
        return try (0..<info.nlinks).map { index in
            func name(into buffer: UnsafeMutablePointer<CChar>?, size: Int) throws -> Int {
                try check(H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, index, buffer, size, defaultPlist),
                          path, "list group")
            }
            let length = try name(into: nil, size: 0)
            guard length < byteSize else {
                throw HDF5Error(file: url.path, object: path, operation: "list group",
                                detail: "declares a \(length)-byte link name, longer than the file")
            }
            var bytes = [CChar](repeating: 0, count: length + 1)
            _ = try name(into: &bytes, size: bytes.count)
            return String(decoding: bytes.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    // MARK: Datasets

    /// Writes a dataset of `shape` (`[]` is a scalar), creating missing parent groups.
    /// `values` is row-major and must hold exactly the shape's element count.
    public func write<T: HDF5Number>(_ values: [T], shape: [Int], at path: String) throws {
        precondition(values.count == shape.reduce(1, *), "\(path): \(values.count) values for shape \(shape)")
        try values.withUnsafeBytes { bytes in
            try createDataset(path, shape: shape, fileType: T.hdf5FileType) { dataset in
                H5Dwrite(dataset, T.hdf5MemoryType, chdf5_s_all(), chdf5_s_all(), defaultPlist, bytes.baseAddress)
            }
        }
    }

    /// Reads a whole numeric dataset, converting to `T` (exact when the stored type is `T`).
    public func read<T: HDF5Number>(_: T.Type, at path: String) throws -> (shape: [Int], values: [T]) {
        let dataset = try check(H5Dopen2(id, path, defaultPlist), path, "open dataset")
        defer { H5Dclose(dataset) }
        let (shape, count) = try checkedSize(try extent(ofOpen: dataset, path), path, "read dataset")
        let values = try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            try check(H5Dread(dataset, T.hdf5MemoryType, chdf5_s_all(), chdf5_s_all(), defaultPlist, buffer.baseAddress),
                      path, "read dataset")
            initialized = count
        }
        return (shape, values)
    }

    /// Writes a 1-D dataset of variable-length UTF-8 strings (h5py reads them as `str`).
    public func write(_ strings: [String], at path: String) throws {
        if let bad = strings.first(where: { $0.utf8.contains(0) }) {
            throw HDF5Error(file: url.path, object: path, operation: "write strings",
                            detail: "string \(bad.debugDescription) contains a NUL byte")
        }
        // One buffer of NUL-terminated UTF-8 plus a pointer per string, as HDF5 expects.
        var bytes: [CChar] = []
        var starts: [Int] = []
        for string in strings {
            starts.append(bytes.count)
            bytes.append(contentsOf: string.utf8.map { CChar(bitPattern: $0) })
            bytes.append(0)
        }
        let type = try stringType(path)
        defer { H5Tclose(type) }
        try bytes.withUnsafeBufferPointer { buffer in
            let pointers = starts.map { UnsafePointer<CChar>?(buffer.baseAddress! + $0) }
            try pointers.withUnsafeBytes { pointerBytes in
                try createDataset(path, shape: [strings.count], fileType: type) { dataset in
                    H5Dwrite(dataset, type, chdf5_s_all(), chdf5_s_all(), defaultPlist, pointerBytes.baseAddress)
                }
            }
        }
    }

    /// Reads a 1-D variable-length string dataset written by `write(_:at:)` (or h5py).
    public func readStrings(at path: String) throws -> [String] {
        let dataset = try check(H5Dopen2(id, path, defaultPlist), path, "open dataset")
        defer { H5Dclose(dataset) }
        let (shape, _) = try checkedSize(try extent(ofOpen: dataset, path), path, "read strings")
        guard shape.count == 1 else {
            throw HDF5Error(file: url.path, object: path, operation: "read strings",
                            detail: "expected a 1-D dataset, found shape \(shape)")
        }
        let space = try check(H5Dget_space(dataset), path, "read dataspace")
        defer { H5Sclose(space) }
        let type = try stringType(path)
        defer { H5Tclose(type) }
        var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: shape[0])
        return try pointers.withUnsafeMutableBytes { pointerBytes in
            try check(H5Dread(dataset, type, chdf5_s_all(), chdf5_s_all(), defaultPlist, pointerBytes.baseAddress),
                      path, "read strings")
            defer { H5Dvlen_reclaim(type, space, defaultPlist, pointerBytes.baseAddress) }
            return pointerBytes.bindMemory(to: UnsafeMutablePointer<CChar>?.self).map { $0.map { String(cString: $0) } ?? "" }
        }
    }

    /// The dimensions of a dataset (`[]` for a scalar); fails if they could not fit in the file.
    public func shape(of path: String) throws -> [Int] {
        try checkedSize(try extent(of: path), path, "read dataspace").shape
    }

    /// A dataset's declared dimensions and stored element size, unchecked (nothing is
    /// allocated from them here).
    public func extent(of path: String) throws -> DatasetExtent {
        let dataset = try check(H5Dopen2(id, path, defaultPlist), path, "open dataset")
        defer { H5Dclose(dataset) }
        return try extent(ofOpen: dataset, path)
    }

    private func extent(ofOpen dataset: hid_t, _ path: String) throws -> DatasetExtent {
        let space = try check(H5Dget_space(dataset), path, "read dataspace")
        defer { H5Sclose(space) }
        // HDF5 itself caps the rank at H5S_MAX_RANK (32).
        let rank = try check(H5Sget_simple_extent_ndims(space), path, "read dataspace")
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        try check(H5Sget_simple_extent_dims(space, &dims, nil), path, "read dataspace")
        let type = try check(H5Dget_type(dataset), path, "read datatype")
        defer { H5Tclose(type) }
        let size = H5Tget_size(type)
        guard size > 0 else { throw HDF5Error.fromStack(file: url.path, object: path, operation: "read datatype") }
        return DatasetExtent(dimensions: dims.map { UInt64($0) }, storedElementSize: size)
    }

    /// The shape and element count of an extent that fits in the file, or an error saying why not.
    private func checkedSize(_ extent: DatasetExtent, _ path: String, _ operation: String) throws -> (shape: [Int], count: Int) {
        if let problem = extent.problem(fileSize: byteSize) {
            throw HDF5Error(file: url.path, object: path, operation: operation, detail: problem)
        }
        return (extent.shape!, extent.elementCount!)
    }

    private func createDataset(_ path: String, shape: [Int], fileType: hid_t, write: (_ dataset: hid_t) -> herr_t) throws {
        let space = try dataspace(shape, path)
        defer { H5Sclose(space) }
        let dataset = try check(H5Dcreate2(id, path, fileType, space, linkCreation, defaultPlist, defaultPlist),
                                path, "create dataset")
        defer { H5Dclose(dataset) }
        try check(write(dataset), path, "write dataset")
    }

    private func dataspace(_ shape: [Int], _ path: String) throws -> hid_t {
        if shape.isEmpty { return try check(H5Screate(H5S_SCALAR), path, "create dataspace") }
        let dims = shape.map { hsize_t($0) }
        return try check(H5Screate_simple(Int32(dims.count), dims, nil), path, "create dataspace")
    }

    private func stringType(_ path: String) throws -> hid_t {
        let type = try check(H5Tcopy(chdf5_c_s1()), path, "create string type")
        guard H5Tset_size(type, chdf5_variable()) >= 0, H5Tset_cset(type, H5T_CSET_UTF8) >= 0 else {
            let error = HDF5Error.fromStack(file: url.path, object: path, operation: "create string type")
            H5Tclose(type)
            throw error
        }
        return type
    }

    // MARK: Scalar attributes

    public func hasAttribute(_ name: String, on path: String = "/") throws -> Bool {
        try check(H5Aexists_by_name(id, path, name, defaultPlist), Self.object(name, path), "look up attribute") > 0
    }

    public func setAttribute<T: HDF5Number>(_ name: String, _ value: T, on path: String = "/") throws {
        try withUnsafeBytes(of: value) { bytes in
            try createAttribute(name, on: path, fileType: T.hdf5FileType, memoryType: T.hdf5MemoryType, value: bytes.baseAddress)
        }
    }

    /// Stores a variable-length UTF-8 string attribute (h5py reads it as `str`).
    public func setAttribute(_ name: String, _ value: String, on path: String = "/") throws {
        let type = try stringType(Self.object(name, path))
        defer { H5Tclose(type) }
        try value.withCString { text in
            try withUnsafeBytes(of: text) { pointer in
                try createAttribute(name, on: path, fileType: type, memoryType: type, value: pointer.baseAddress)
            }
        }
    }

    public func attribute<T: HDF5Number>(_ name: String, of path: String = "/", as _: T.Type) throws -> T {
        try withUnsafeTemporaryAllocation(of: T.self, capacity: 1) { slot in
            try readAttribute(name, of: path, memoryType: T.hdf5MemoryType, into: UnsafeMutableRawPointer(slot.baseAddress!))
            return slot[0]
        }
    }

    public func stringAttribute(_ name: String, of path: String = "/") throws -> String {
        let object = Self.object(name, path)
        let type = try stringType(object)
        defer { H5Tclose(type) }
        var text: UnsafeMutablePointer<CChar>?
        try readAttribute(name, of: path, memoryType: type, into: &text)
        defer { H5free_memory(text) }
        return text.map { String(cString: $0) } ?? ""
    }

    private func createAttribute(_ name: String, on path: String, fileType: hid_t, memoryType: hid_t,
                                 value: UnsafeRawPointer?) throws {
        let object = Self.object(name, path)
        let space = try check(H5Screate(H5S_SCALAR), object, "create dataspace")
        defer { H5Sclose(space) }
        let attribute = try check(H5Acreate_by_name(id, path, name, fileType, space, defaultPlist, defaultPlist, defaultPlist),
                                  object, "create attribute")
        defer { H5Aclose(attribute) }
        try check(H5Awrite(attribute, memoryType, value), object, "write attribute")
    }

    /// Reads a one-element attribute; anything larger is refused, since it would overrun the
    /// single-value buffer.
    private func readAttribute(_ name: String, of path: String, memoryType: hid_t, into value: UnsafeMutableRawPointer) throws {
        let object = Self.object(name, path)
        let attribute = try check(H5Aopen_by_name(id, path, name, defaultPlist, defaultPlist), object, "open attribute")
        defer { H5Aclose(attribute) }
        let space = try check(H5Aget_space(attribute), object, "read attribute dataspace")
        defer { H5Sclose(space) }
        let count = try check(H5Sget_simple_extent_npoints(space), object, "read attribute dataspace")
        guard count == 1 else {
            throw HDF5Error(file: url.path, object: object, operation: "read attribute",
                            detail: "expected a single value, found \(count)")
        }
        try check(H5Aread(attribute, memoryType, value), object, "read attribute")
    }

    private static func object(_ attribute: String, _ path: String) -> String { "\(path)@\(attribute)" }

    @discardableResult
    private func check<R: BinaryInteger>(_ result: R, _ object: String, _ operation: String) throws -> R {
        guard result >= 0 else { throw HDF5Error.fromStack(file: url.path, object: object, operation: operation) }
        return result
    }
}
