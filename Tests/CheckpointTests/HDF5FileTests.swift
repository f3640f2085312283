import Foundation
import TestSupport
import XCTest
@testable import Checkpoint

final class HDF5FileTests: XCTestCase {
    func testDatasetsAttributesAndGroupsRoundTrip() throws {
        let url = try makeTemporaryDirectory().appendingPathComponent("t.h5")
        let file = try HDF5File.create(url)
        try file.createGroup("/a/b/c")
        try file.write([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3], at: "/a/b/c/m")
        try file.write([Float(7.5)], shape: [], at: "/scalar")
        try file.write([] as [Float], shape: [0, 4], at: "/empty")
        try file.write([Int64.min, -1, 0, Int64.max], shape: [4], at: "/deep/er/ints")
        try file.write([Double.pi, -.infinity], shape: [2], at: "/doubles")
        try file.write(["Zoë", "北京", "", "naïve café"], at: "/strings")
        try file.write([] as [String], at: "/no-strings")
        try file.setAttribute("count", Int64(-42))
        try file.setAttribute("rate", 1e-3, on: "/a/b")
        try file.setAttribute("note", "σ → ∞", on: "/a/b/c/m")
        try file.close()

        let reader = try HDF5File.openReadOnly(url)
        XCTAssertEqual(try reader.children(of: "/"), ["a", "deep", "doubles", "empty", "no-strings", "scalar", "strings"])
        XCTAssertEqual(try reader.children(of: "/a/b"), ["c"])
        let m = try reader.read(Float.self, at: "/a/b/c/m")
        XCTAssertEqual(m.shape, [2, 3])
        XCTAssertEqual(m.values, [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(try reader.read(Float.self, at: "/scalar").shape, [])
        XCTAssertEqual(try reader.read(Float.self, at: "/scalar").values, [7.5])
        XCTAssertEqual(try reader.shape(of: "/empty"), [0, 4])
        XCTAssertEqual(try reader.read(Float.self, at: "/empty").values, [])
        XCTAssertEqual(try reader.read(Int64.self, at: "/deep/er/ints").values, [Int64.min, -1, 0, Int64.max])
        XCTAssertEqual(try reader.read(Double.self, at: "/doubles").values, [Double.pi, -.infinity])
        XCTAssertEqual(try reader.readStrings(at: "/strings"), ["Zoë", "北京", "", "naïve café"])
        XCTAssertEqual(try reader.readStrings(at: "/no-strings"), [])
        XCTAssertEqual(try reader.attribute("count", as: Int64.self), -42)
        XCTAssertEqual(try reader.attribute("rate", of: "/a/b", as: Double.self), 1e-3)
        XCTAssertEqual(try reader.stringAttribute("note", of: "/a/b/c/m"), "σ → ∞")
        XCTAssertTrue(try reader.hasAttribute("count"))
        XCTAssertFalse(try reader.hasAttribute("missing", on: "/a/b"))
        // The "semi" close degree makes this fail if any method leaked an object handle.
        XCTAssertNoThrow(try reader.close())
    }

    func testFailuresNameTheFileAndObject() throws {
        let url = try makeTemporaryDirectory().appendingPathComponent("t.h5")
        let file = try HDF5File.create(url)
        try file.write([1] as [Float], shape: [1], at: "/x")
        XCTAssertThrowsError(try file.write([2] as [Float], shape: [1], at: "/x")) { error in
            let error = error as? HDF5Error
            XCTAssertEqual(error?.file, url.path)
            XCTAssertEqual(error?.object, "/x")
            XCTAssertEqual(error?.operation, "create dataset")
            XCTAssertFalse(error?.detail.isEmpty ?? true)
        }
        XCTAssertThrowsError(try file.read(Float.self, at: "/nowhere/y")) { error in
            XCTAssertEqual((error as? HDF5Error)?.object, "/nowhere/y")
            XCTAssertTrue("\(error)".contains(url.path))
        }
        XCTAssertThrowsError(try file.attribute("absent", of: "/x", as: Int64.self)) { error in
            XCTAssertEqual((error as? HDF5Error)?.object, "/x@absent")
        }
        XCTAssertThrowsError(try file.readStrings(at: "/x"))
        XCTAssertNoThrow(try file.close())
    }

    func testOpeningANonHDF5FileFails() throws {
        let url = try makeTemporaryDirectory().appendingPathComponent("garbage.h5")
        try Data("not hdf5 at all".utf8).write(to: url)
        XCTAssertFalse(try HDF5File.isHDF5(url))
        XCTAssertThrowsError(try HDF5File.openReadOnly(url)) { error in
            XCTAssertEqual((error as? HDF5Error)?.file, url.path)
        }
    }

    func testH5DumpReadsTheFile() throws {
        let url = try makeTemporaryDirectory().appendingPathComponent("t.h5")
        let file = try HDF5File.create(url)
        try file.write(["één", "two"], at: "/words")
        try file.setAttribute("format", "x")
        try file.close()
        let dump = try h5dump(["-d", "/words", url.path])
        XCTAssertEqual(dump.status, 0)
        XCTAssertTrue(dump.output.contains("H5T_CSET_UTF8"), dump.output)
        XCTAssertTrue(dump.output.contains("STRSIZE H5T_VARIABLE"), dump.output)
        XCTAssertTrue(dump.output.contains("\"two\""), dump.output)
    }
}
